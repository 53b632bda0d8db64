internal import CLibXML2

/// Owns one libxml2 text writer and the memory buffer it writes into; frees both in `deinit`.
final class TextWriterHandle {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr

    init(indent: Bool) throws(XMLError) {
        LibXML2.initialise()
        let buffer = try LibXML2.check(xmlBufferCreate(), "xmlBufferCreate")
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            let message = LibXML2.lastErrorMessage() ?? "libxml2 returned NULL"
            xmlBufferFree(buffer)
            throw XMLError(operation: "xmlNewTextWriterMemory", message: message)
        }
        self.buffer = buffer
        self.writer = writer
        if indent {
            try LibXML2.check(xmlTextWriterSetIndent(writer, 1), "xmlTextWriterSetIndent")
            try LibXML2.check(xmlTextWriterSetIndentString(writer, " "), "xmlTextWriterSetIndentString")
        }
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    func startDocument() throws(XMLError) {
        try LibXML2.check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil), "xmlTextWriterStartDocument")
    }

    func startElement(_ name: String) throws(XMLError) {
        try LibXML2.check(xmlTextWriterStartElement(writer, name), "xmlTextWriterStartElement <\(name)>")
    }

    func attribute(_ name: String, _ value: String) throws(XMLError) {
        try LibXML2.check(xmlTextWriterWriteAttribute(writer, name, XMLCharacters.replacingInvalid(value)), "xmlTextWriterWriteAttribute \(name)")
    }

    func text(_ content: String) throws(XMLError) {
        try LibXML2.check(xmlTextWriterWriteString(writer, XMLCharacters.replacingInvalid(content)), "xmlTextWriterWriteString")
    }

    func endElement() throws(XMLError) {
        try LibXML2.check(xmlTextWriterEndElement(writer), "xmlTextWriterEndElement")
    }

    /// Closes every open element and the document and returns the bytes written.
    func finish() throws(XMLError) -> [UInt8] {
        try LibXML2.check(xmlTextWriterEndDocument(writer), "xmlTextWriterEndDocument")
        try LibXML2.check(xmlTextWriterFlush(writer), "xmlTextWriterFlush")
        let count = Int(xmlBufferLength(buffer))
        guard count > 0, let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: count))
    }
}
