/// A YAML node with the line it starts on (1-based), so that errors can point at the line a user wrote.
public struct YAMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case null
        case scalar(String)
        case sequence([YAMLNode])
        /// In file order; duplicate keys are rejected while parsing.
        case mapping([YAMLEntry])
    }

    public var kind: Kind
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }
}

public struct YAMLEntry: Sendable, Equatable {
    public var key: String
    public var value: YAMLNode
}

public struct YAMLError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// The part of YAML that configuration files such as exporter-toolkit's web config use: block mappings and
/// sequences (a sequence may sit at its key's indentation), plain, single- and double-quoted scalars, literal
/// and folded block scalars (`|`, `|-`, `>`: inline PEM certificates), one-line flow sequences (`[a, b]`), `{}`,
/// comments and a leading `---`. Anchors, aliases, tags, multi-line plain scalars and mappings inside
/// sequences are refused with the line, rather than read some other way than a YAML library would.
public enum YAMLSubset {
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        var parser = Parser(text)
        return try parser.document()
    }

    private struct Line {
        let number: Int
        let indent: Int
        /// The text after the indentation (comments not yet removed: a `#` inside quotes is not one).
        let content: Substring
        let raw: Substring
    }

    private struct Parser {
        var lines: [Line] = []
        var position = 0

        init(_ text: String) {
            var number = 0
            for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
                number += 1
                let raw = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
                let indent = raw.prefix { $0 == " " }.count
                lines.append(Line(number: number, indent: indent, content: raw.dropFirst(indent), raw: raw))
            }
        }

        private static func isBlankOrComment(_ line: Line) -> Bool {
            let trimmed = line.content.drop { $0 == " " || $0 == "\t" }
            return trimmed.isEmpty || trimmed.first == "#"
        }

        /// The next line that carries content, skipping blank and comment lines.
        mutating func nextSignificant() -> Line? {
            while position < lines.count, Self.isBlankOrComment(lines[position]) { position += 1 }
            return position < lines.count ? lines[position] : nil
        }

        mutating func document() throws(YAMLError) -> YAMLNode {
            if let first = nextSignificant(), Self.stripComment(first.content) == "---", first.indent == 0 { position += 1 }
            guard let first = nextSignificant() else { return YAMLNode(.null, line: 1) }
            let node = try block(indent: first.indent, line: first)
            if let extra = nextSignificant() {
                if Self.stripComment(extra.content) == "..." || Self.stripComment(extra.content) == "---" {
                    throw YAMLError(line: extra.number, message: "only one YAML document is expected")
                }
                throw YAMLError(line: extra.number, message: "unexpected indentation")
            }
            return node
        }

        /// A mapping, a sequence or a lone scalar starting at `line`, whose indentation is `indent`.
        mutating func block(indent: Int, line: Line) throws(YAMLError) -> YAMLNode {
            try Self.checkIndentation(line)
            if Self.isSequenceItem(line.content) { return try sequence(indent: indent) }
            if try Self.splitKey(line.content, line: line.number) != nil { return try mapping(indent: indent) }
            position += 1
            return try Self.inlineValue(line.content, line: line.number)
        }

        mutating func mapping(indent: Int) throws(YAMLError) -> YAMLNode {
            var entries: [YAMLEntry] = []
            let startLine = nextSignificant()?.number ?? 1
            while let line = nextSignificant(), line.indent >= indent {
                guard line.indent == indent else { throw YAMLError(line: line.number, message: "unexpected indentation") }
                try Self.checkIndentation(line)
                if Self.isSequenceItem(line.content) {
                    throw YAMLError(line: line.number, message: "a list item where a key was expected")
                }
                guard let (key, rest) = try Self.splitKey(line.content, line: line.number) else {
                    throw YAMLError(line: line.number, message: "expected \"key: value\"")
                }
                if entries.contains(where: { $0.key == key }) {
                    throw YAMLError(line: line.number, message: "key \"\(key)\" appears twice")
                }
                position += 1
                let value = try self.value(after: rest, parentIndent: indent, line: line, allowSequenceAtIndent: true)
                entries.append(YAMLEntry(key: key, value: value))
            }
            return YAMLNode(.mapping(entries), line: startLine)
        }

        mutating func sequence(indent: Int) throws(YAMLError) -> YAMLNode {
            var items: [YAMLNode] = []
            let startLine = nextSignificant()?.number ?? 1
            while let line = nextSignificant(), line.indent == indent, Self.isSequenceItem(line.content) {
                position += 1
                let rest = line.content.dropFirst().drop { $0 == " " }
                if try Self.splitKey(rest, line: line.number) != nil {
                    throw YAMLError(line: line.number, message: "mappings inside lists are not supported here")
                }
                items.append(try value(after: rest, parentIndent: indent, line: line, allowSequenceAtIndent: false))
            }
            if let line = nextSignificant(), line.indent > indent {
                throw YAMLError(line: line.number, message: "unexpected indentation")
            }
            return YAMLNode(.sequence(items), line: startLine)
        }

        /// The value written after `key:` or `- `: inline, a block scalar, or a nested block on the next lines.
        mutating func value(after rest: Substring, parentIndent: Int, line: Line,
                            allowSequenceAtIndent: Bool) throws(YAMLError) -> YAMLNode {
            let text = Self.stripComment(rest)
            if text.first == "|" || text.first == ">" {
                return try blockScalar(header: text, parentIndent: parentIndent, line: line)
            }
            if !text.isEmpty { return try Self.inlineValue(rest, line: line.number) }
            guard let next = nextSignificant() else { return YAMLNode(.null, line: line.number) }
            if next.indent > parentIndent { return try block(indent: next.indent, line: next) }
            if allowSequenceAtIndent, next.indent == parentIndent, Self.isSequenceItem(next.content) {
                return try sequence(indent: parentIndent)
            }
            return YAMLNode(.null, line: line.number)
        }

        /// `|` keeps line breaks, `>` folds lines into spaces; `-` strips the final line break, `+` keeps them all.
        mutating func blockScalar(header: Substring, parentIndent: Int, line: Line) throws(YAMLError) -> YAMLNode {
            let literal = header.first == "|"
            var chomping: Character = " "
            var explicitIndent: Int?
            for character in header.dropFirst() {
                if character == "-" || character == "+", chomping == " " {
                    chomping = character
                } else if let digit = character.wholeNumberValue, digit > 0, explicitIndent == nil {
                    explicitIndent = digit
                } else {
                    throw YAMLError(line: line.number, message: "unexpected \"\(header)\" after the key")
                }
            }
            var body: [Substring] = []
            var blockIndent = explicitIndent.map { parentIndent + $0 }
            while position < lines.count {
                let candidate = lines[position]
                let blank = candidate.content.allSatisfy { $0 == " " }
                if !blank {
                    if blockIndent == nil { blockIndent = candidate.indent }
                    guard let indent = blockIndent, candidate.indent >= indent, indent > parentIndent else { break }
                    body.append(candidate.raw.dropFirst(indent))
                } else {
                    body.append(candidate.raw.dropFirst(min(blockIndent ?? candidate.raw.count, candidate.raw.count)))
                }
                position += 1
            }
            // Trailing blank lines belong to chomping, not to the content.
            var trailingBlank = 0
            while let last = body.last, last.allSatisfy({ $0 == " " }) {
                body.removeLast()
                trailingBlank += 1
            }
            var text: String
            if literal {
                text = body.joined(separator: "\n")
            } else {
                text = ""
                for (index, part) in body.enumerated() {
                    // A break between two lines folds into a space; each empty line stands for one break.
                    if index > 0 { text += part.isEmpty ? "\n" : (body[index - 1].isEmpty ? "" : " ") }
                    text += part
                }
            }
            if !body.isEmpty {
                switch chomping {
                case "-": break
                case "+": text += String(repeating: "\n", count: 1 + trailingBlank)
                default: text += "\n"
                }
            }
            return YAMLNode(.scalar(text), line: line.number)
        }

        // MARK: - One line

        static func checkIndentation(_ line: Line) throws(YAMLError) {
            if line.content.first == "\t" {
                throw YAMLError(line: line.number, message: "tabs cannot indent YAML; use spaces")
            }
        }

        static func isSequenceItem(_ content: Substring) -> Bool {
            content.first == "-" && (content.count == 1 || content.dropFirst().first == " ")
        }

        /// `key: rest` (the key plain or quoted) or nil when the line is not a key/value pair.
        static func splitKey(_ content: Substring, line: Int) throws(YAMLError) -> (String, Substring)? {
            if content.first == "\"" || content.first == "'" {
                let (key, after) = try quoted(content, line: line)
                guard after.first == ":", after.count == 1 || after.dropFirst().first == " " else { return nil }
                return (key, after.dropFirst())
            }
            var index = content.startIndex
            while index < content.endIndex {
                let character = content[index]
                if character == "#", index == content.startIndex || content[content.index(before: index)] == " " { return nil }
                if character == ":" {
                    let next = content.index(after: index)
                    if next == content.endIndex || content[next] == " " {
                        let key = content[..<index].trimmingSuffix { $0 == " " }
                        guard !key.isEmpty, !key.hasPrefix("[") && !key.hasPrefix("{") else { return nil }
                        if let first = key.first, "&*!|>%@`".contains(first) {
                            throw YAMLError(line: line, message: "anchors, aliases and tags are not supported")
                        }
                        return (String(key), content[next...])
                    }
                }
                index = content.index(after: index)
            }
            return nil
        }

        /// A value on one line: quoted, `[flow, list]`, `{}`, or plain (up to a ` #` comment).
        static func inlineValue(_ text: Substring, line: Int) throws(YAMLError) -> YAMLNode {
            let content = text.drop { $0 == " " }
            guard let first = content.first else { return YAMLNode(.null, line: line) }
            switch first {
            case "\"", "'":
                let (value, after) = try quoted(content, line: line)
                guard stripComment(after).isEmpty else {
                    throw YAMLError(line: line, message: "unexpected text after the closing quote")
                }
                return YAMLNode(.scalar(value), line: line)
            case "[":
                return YAMLNode(.sequence(try flowSequence(content, line: line)), line: line)
            case "{":
                guard stripComment(content).filter({ $0 != " " }) == "{}" else {
                    throw YAMLError(line: line, message: "flow mappings ({...}) are not supported; use one key per line")
                }
                return YAMLNode(.mapping([]), line: line)
            case "&", "*", "!":
                throw YAMLError(line: line, message: "anchors, aliases and tags are not supported")
            case "@", "`", "%":
                throw YAMLError(line: line, message: "a plain value cannot start with \"\(first)\"; quote it")
            default:
                let plain = stripComment(content)
                if ["~", "null", "Null", "NULL"].contains(plain) { return YAMLNode(.null, line: line) }
                return YAMLNode(.scalar(String(plain)), line: line)
            }
        }

        static func flowSequence(_ text: Substring, line: Int) throws(YAMLError) -> [YAMLNode] {
            var rest = text.dropFirst()
            var items: [YAMLNode] = []
            while true {
                rest = rest.drop { $0 == " " }
                guard let first = rest.first else {
                    throw YAMLError(line: line, message: "a flow list must close on its line with \"]\"")
                }
                if first == "]", items.isEmpty {
                    rest = rest.dropFirst()
                    break
                }
                if first == "\"" || first == "'" {
                    let (value, after) = try quoted(rest, line: line)
                    items.append(YAMLNode(.scalar(value), line: line))
                    rest = after.drop { $0 == " " }
                } else {
                    guard !"[{&*!".contains(first) else {
                        throw YAMLError(line: line, message: "nested collections, anchors and tags are not supported in a flow list")
                    }
                    let end = rest.firstIndex { $0 == "," || $0 == "]" } ?? rest.endIndex
                    let value = rest[..<end].trimmingSuffix { $0 == " " }
                    guard !value.isEmpty else { throw YAMLError(line: line, message: "an empty item in a flow list") }
                    items.append(YAMLNode(.scalar(String(value)), line: line))
                    rest = rest[end...]
                }
                guard let separator = rest.first else {
                    throw YAMLError(line: line, message: "a flow list must close on its line with \"]\"")
                }
                rest = rest.dropFirst()
                if separator == "]" { break }
                guard separator == "," else { throw YAMLError(line: line, message: "expected \",\" or \"]\" in a flow list") }
            }
            guard stripComment(rest).isEmpty else { throw YAMLError(line: line, message: "unexpected text after \"]\"") }
            return items
        }

        /// A quoted scalar at the start of `text`, and what follows its closing quote.
        static func quoted(_ text: Substring, line: Int) throws(YAMLError) -> (String, Substring) {
            let quote = text.first!
            var value = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let character = text[index]
                let next = text.index(after: index)
                if character == quote {
                    if quote == "'", next < text.endIndex, text[next] == "'" {
                        value.append("'")
                        index = text.index(after: next)
                        continue
                    }
                    return (value, text[next...])
                }
                if quote == "\"", character == "\\" {
                    guard next < text.endIndex else { break }
                    let (unescaped, after) = try escape(text, at: next, line: line)
                    value.append(unescaped)
                    index = after
                    continue
                }
                value.append(character)
                index = next
            }
            throw YAMLError(line: line, message: "a quoted value must close on its line")
        }

        static func escape(_ text: Substring, at index: Substring.Index, line: Int) throws(YAMLError) -> (Character, Substring.Index) {
            let after = text.index(after: index)
            switch text[index] {
            case "\"": return ("\"", after)
            case "\\": return ("\\", after)
            case "/": return ("/", after)
            case "n": return ("\n", after)
            case "t": return ("\t", after)
            case "r": return ("\r", after)
            case "0": return ("\0", after)
            case " ": return (" ", after)
            case "x", "u", "U":
                let width = text[index] == "x" ? 2 : (text[index] == "u" ? 4 : 8)
                let digits = text[after...].prefix(width)
                guard digits.count == width, let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw YAMLError(line: line, message: "invalid \\\(text[index]) escape")
                }
                return (Character(scalar), text.index(after, offsetBy: width))
            default:
                throw YAMLError(line: line, message: "unknown escape \\\(text[index]) in a double-quoted value")
            }
        }

        /// The text before a comment (` #`), without trailing spaces. Only for text outside quotes.
        static func stripComment(_ text: Substring) -> Substring {
            var index = text.startIndex
            while index < text.endIndex {
                if text[index] == "#", index == text.startIndex || text[text.index(before: index)] == " "
                    || text[text.index(before: index)] == "\t" {
                    break
                }
                index = text.index(after: index)
            }
            return text[..<index].drop { $0 == " " }.trimmingSuffix { $0 == " " || $0 == "\t" }
        }
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
