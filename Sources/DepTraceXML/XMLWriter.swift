/// Writes an XML document through libxml2's `xmlTextWriter`, which escapes
/// every attribute value and text node: no XML is built from strings.
///
/// ```swift
/// let writer = try XMLWriter()
/// try writer.start("svg", ["xmlns": "http://www.w3.org/2000/svg"])
/// try writer.element("title", text: "Dep < 5 & more")
/// let bytes = try writer.finish()
/// ```
public struct XMLWriter {
    private let handle: TextWriterHandle

    /// Starts a document (`<?xml version="1.0" encoding="UTF-8"?>`).
    /// - Parameter indent: one space per level, one element per line.
    /// - Throws: ``XMLError`` with libxml2's message.
    public init(indent: Bool = true) throws(XMLError) {
        handle = try TextWriterHandle(indent: indent)
        try handle.startDocument()
    }

    /// Opens an element with attributes, written in the order given.
    public func start(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) throws(XMLError) {
        try handle.startElement(name)
        for (key, value) in attributes { try handle.attribute(key, value) }
    }

    /// Opens an element with attributes, written in the order given.
    public func start(_ name: String, attributes: [(String, String)]) throws(XMLError) {
        try handle.startElement(name)
        for (key, value) in attributes { try handle.attribute(key, value) }
    }

    /// Writes escaped text into the open element.
    public func text(_ content: String) throws(XMLError) { try handle.text(content) }

    /// Closes the innermost open element.
    public func end() throws(XMLError) { try handle.endElement() }

    /// Writes a whole element: attributes, then optional text.
    public func element(_ name: String, attributes: [(String, String)] = [], text: String? = nil) throws(XMLError) {
        try start(name, attributes: attributes)
        if let text { try handle.text(text) }
        try handle.endElement()
    }

    /// Closes every open element and returns the document's UTF-8 bytes.
    public func finish() throws(XMLError) -> [UInt8] { try handle.finish() }
}
