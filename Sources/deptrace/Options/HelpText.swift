/// Layout of help lists: ArgumentParser wraps long discussion lines back to
/// column 0, so list entries are wrapped here, with a hanging indent.
enum HelpText {
    /// `  name` then `text` wrapped to `width` columns, each line indented by `indent`.
    static func entry(_ name: String, _ text: String, indent: Int = 4, width: Int = 78) -> String {
        var lines = ["  " + name]
        var line = String(repeating: " ", count: indent)
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > width, line.count > indent {
                lines.append(line)
                line = String(repeating: " ", count: indent)
            }
            line += (line.count > indent ? " " : "") + word
        }
        if line.count > indent { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
