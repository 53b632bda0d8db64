internal import CLibXML2

/// Parses XML with libxml2 (never from the network) into ``XMLNode`` values:
/// for tests that check what a writer produced is well-formed.
public enum XMLDocumentParser {
    /// Parses `bytes`, refusing network access and external entities.
    /// - Returns: the root element.
    /// - Throws: ``XMLError`` with libxml2's message when the document is not well-formed.
    public static func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLNode {
        LibXML2.initialise()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = try DocumentHandle(bytes: bytes, options: options)
        return try document.root()
    }
}

/// Owns one parsed libxml2 document; frees it in `deinit`.
final class DocumentHandle {
    private let document: xmlDocPtr

    init(bytes: [UInt8], options: Int32) throws(XMLError) {
        xmlResetLastError()
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReadMemory($0, Int32(buffer.count), "chart.svg", "UTF-8", options)
                }
            }
        }
        document = try LibXML2.check(parsed, "xmlReadMemory")
    }

    deinit { xmlFreeDoc(document) }

    func root() throws(XMLError) -> XMLNode {
        let root = try LibXML2.check(xmlDocGetRootElement(document), "xmlDocGetRootElement")
        return Self.convert(root)
    }

    private static func convert(_ node: xmlNodePtr) -> XMLNode {
        var result = XMLNode(name: String(cString: node.pointee.name))
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = String(cString: current.pointee.name)
            if let value = xmlNodeListGetString(node.pointee.doc, current.pointee.children, 1) {
                result.attributes[name] = String(cString: value)
                deptrace_xmlFree(value)
            } else {
                result.attributes[name] = ""
            }
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                result.children.append(convert(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { result.text += String(cString: content) }
            default:
                break
            }
            child = current.pointee.next
        }
        return result
    }
}
