internal import CLibXML2

/// The few process-wide libxml2 calls: initialisation and error messages.
enum LibXML2 {
    /// `xmlInitParser()` is not thread-safe on first use; a lazy static runs it once.
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    static func initialise() { _ = initialised }

    /// libxml2's last error message on this thread, trimmed, or nil.
    static func lastErrorMessage() -> String? {
        guard let error = xmlGetLastError(), let text = error.pointee.message else { return nil }
        let message = String(cString: text).trimmingCharacters(in: " \n")
        let line = error.pointee.line
        return line > 0 ? "line \(line): \(message)" : message
    }

    /// Throws an ``XMLError`` when a libxml2 return code says the call failed (negative).
    static func check(_ code: Int32, _ operation: String) throws(XMLError) {
        guard code < 0 else { return }
        throw XMLError(operation: operation, message: lastErrorMessage() ?? "libxml2 returned \(code)")
    }

    /// Throws an ``XMLError`` when a libxml2 call returned no object.
    static func check<T>(_ pointer: T?, _ operation: String) throws(XMLError) -> T {
        guard let pointer else {
            throw XMLError(operation: operation, message: lastErrorMessage() ?? "libxml2 returned NULL")
        }
        return pointer
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        return String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
