import DepTrace

/// A Jupyter notebook in nbformat 4.5: cells with ids, code cells with their
/// outputs already filled in, written deterministically.
public struct Notebook: Sendable {
    /// One output of a code cell: a MIME bundle, as the result of the cell's
    /// last expression or as displayed by it (a figure).
    public struct Output: Sendable {
        public enum Kind: Sendable { case executeResult, displayData }
        public var kind: Kind
        /// MIME type and content, such as `("text/html", "<table>…")`.
        public var data: [(mime: String, text: String)]

        public init(_ kind: Kind, data: [(mime: String, text: String)]) {
            self.kind = kind
            self.data = data
        }
    }

    /// A markdown or code cell.
    public struct Cell: Sendable {
        public enum Kind: Sendable { case markdown, code }
        public var kind: Kind
        /// Unique in the notebook: 1 to 64 of `A-Z a-z 0-9 - _`.
        public var id: String
        public var source: String
        public var outputs: [Output]

        public static func markdown(_ id: String, _ source: String) -> Cell {
            Cell(kind: .markdown, id: id, source: source, outputs: [])
        }

        public static func code(_ id: String, _ source: String, outputs: [Output] = []) -> Cell {
            Cell(kind: .code, id: id, source: source, outputs: outputs)
        }
    }

    public var cells: [Cell] = []
    /// Extra notebook metadata under the key `deptrace`.
    public var deptraceMetadata: [(key: String, value: JSONValue)] = []

    public init(cells: [Cell] = [], deptraceMetadata: [(key: String, value: JSONValue)] = []) {
        self.cells = cells
        self.deptraceMetadata = deptraceMetadata
    }

    /// The `.ipynb` text: the JSON Jupyter itself would save for this
    /// notebook (keys sorted, one-space indent, multi-line strings as lists
    /// of lines), ending with a newline.
    ///
    /// Code cells are numbered 1, 2, … in order, as if run once from the top.
    public func text() -> String {
        var executionCount = 0
        let cellValues = cells.map { cell -> JSONValue in
            var members: [(key: String, value: JSONValue)] = [
                ("cell_type", .string(cell.kind == .markdown ? "markdown" : "code")),
                ("id", .string(cell.id)),
                ("metadata", .object([])),
                ("source", Notebook.lines(cell.source)),
            ]
            if cell.kind == .code {
                executionCount += 1
                let count = JSONValue.integer(executionCount)
                members.append(("execution_count", count))
                members.append(("outputs", .array(cell.outputs.map { output in
                    var fields: [(key: String, value: JSONValue)] = [
                        ("data", .object(output.data.map { ($0.mime, Notebook.lines($0.text)) })),
                        ("metadata", .object([])),
                        ("output_type", .string(output.kind == .executeResult ? "execute_result" : "display_data")),
                    ]
                    if output.kind == .executeResult { fields.append(("execution_count", count)) }
                    return .object(fields)
                })))
            }
            return .object(members)
        }
        var metadata: [(key: String, value: JSONValue)] = [
            ("kernelspec", .object([("display_name", .string("Python 3")), ("language", .string("python")), ("name", .string("python3"))])),
            ("language_info", .object([("name", .string("python"))])),
        ]
        if !deptraceMetadata.isEmpty { metadata.append(("deptrace", .object(deptraceMetadata))) }
        let document = JSONValue.object([
            ("cells", .array(cellValues)),
            ("metadata", .object(metadata)),
            ("nbformat", .integer(4)),
            ("nbformat_minor", .integer(5)),
        ])
        return IndentedJSON.text(of: document) + "\n"
    }

    /// A multi-line string as nbformat stores it: a list of lines, each with
    /// its line break, split where Python's `str.splitlines` splits.
    static func lines(_ text: String) -> JSONValue {
        var result: [JSONValue] = []
        var line = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            line.append(scalar)
            let isBreak: Bool
            switch scalar.value {
            case 0x0D:
                if pending == "\n" {
                    line.append("\n")
                    pending = scalars.next()
                }
                isBreak = true
            case 0x0A, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: isBreak = true
            default: isBreak = false
            }
            if isBreak {
                result.append(.string(String(line)))
                line = String.UnicodeScalarView()
            }
        }
        if !line.isEmpty { result.append(.string(String(line))) }
        return .array(result)
    }
}
