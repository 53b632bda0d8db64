#ifndef DEPTRACE_CLIBXML2_SHIM_H
#define DEPTRACE_CLIBXML2_SHIM_H

#include <libxml/xmlwriter.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/// libxml2 declares `xmlFree` as a global function-pointer variable, which
/// Swift 6 refuses to read (it is shared mutable state); this function calls it.
static inline void deptrace_xmlFree(void *pointer) {
    xmlFree(pointer);
}

#endif
