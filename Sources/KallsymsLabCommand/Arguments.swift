/// A small, table-driven argument parser: each subcommand declares its options as data.
public struct OptionSpec: Sendable {
    /// `--era`, `--all-symbols`, …
    public var name: String
    /// The placeholder of the value (`E`, `FILE`), or nil for a flag.
    public var value: String?
    /// One line of help.
    public var help: String
    /// A flag or option that may be given several times (values accumulate).
    public var repeatable: Bool

    public init(_ name: String, value: String? = nil, repeatable: Bool = false, _ help: String) {
        self.name = name
        self.value = value
        self.help = help
        self.repeatable = repeatable
    }
}

/// What the user typed, sorted by kind.
public struct ParsedArguments: Sendable {
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []

    public func value(_ name: String) -> String? { values[name]?.last }
    public func has(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }
}

/// A usage error: printed with the subcommand's usage line, exit status 2.
public struct UsageError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ArgumentParser {
    /// Parses `arguments` against `specs`. `--name=value` and `--name value` are both
    /// accepted; `--` ends the options; `-` alone is a positional (standard input).
    public static func parse(_ arguments: [String], specs: [OptionSpec]) throws -> ParsedArguments {
        var result = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                result.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = specs.first(where: { $0.name == name }) else {
                let close = specs.map(\.name).filter { $0.hasPrefix(name) || name.hasPrefix($0) }
                throw UsageError("unknown option \(name)" + (close.isEmpty ? "" : " (did you mean \(close.joined(separator: " or "))?)"))
            }
            if spec.value == nil {
                guard inlineValue == nil else { throw UsageError("\(name) takes no value") }
                if result.flags.contains(name) && !spec.repeatable { throw UsageError("\(name) given twice") }
                result.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw UsageError("\(name) needs a value (\(spec.value!))") }
                value = arguments[index]
                index += 1
            }
            if result.values[name] != nil && !spec.repeatable { throw UsageError("\(name) given twice") }
            result.values[name, default: []].append(value)
        }
        return result
    }

    /// The options block of a help text.
    public static func helpLines(_ specs: [OptionSpec]) -> String {
        let rendered = specs.map { spec in (spec.value.map { "\(spec.name) \($0)" } ?? spec.name, spec.help) }
        let width = min(30, (rendered.map(\.0.count).max() ?? 0) + 2)
        return rendered.map { left, help in
            let padded = left.count >= width ? left + "  " : left + String(repeating: " ", count: width - left.count)
            return "  " + padded + help
        }.joined(separator: "\n")
    }
}
