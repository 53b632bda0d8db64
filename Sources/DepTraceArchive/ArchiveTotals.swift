/// Counts shared by the entries of one archive.
final class ArchiveTotals {
    var uncompressed: Int64 = 0
}
