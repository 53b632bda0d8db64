#ifndef DEPTRACE_CARCHIVE_SHIM_H
#define DEPTRACE_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

/// `AE_IFREG` is a macro with a cast, which Swift does not import.
static inline int deptrace_archive_entry_is_regular_file(struct archive_entry *entry) {
    return archive_entry_filetype(entry) == AE_IFREG;
}

#endif
