/// An element of a parsed XML document, copied out of libxml2 into Swift values.
public struct XMLNode: Sendable, Hashable {
    public var name: String
    /// Attributes in document order.
    public var attributes: [String: String]
    public var children: [XMLNode]
    /// The concatenated text directly inside this element.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// This element and all its descendants, depth first.
    public var allElements: [XMLNode] {
        var result = [self]
        for child in children { result += child.allElements }
        return result
    }

    /// Descendants (and self) with this element name.
    public func elements(named name: String) -> [XMLNode] { allElements.filter { $0.name == name } }

    /// The text of this element and every descendant, in document order.
    public var allText: String { text + children.map(\.allText).joined() }
}
