/// A forward-only stream of bytes: a file, standard input, or (in other
/// modules) an archive entry or a decompressor.
public protocol ByteSource: AnyObject {
    /// Fills the start of `buffer`; returns the bytes written, 0 at the end.
    ///
    /// - Throws: ``InputError`` when the underlying read fails.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}
