import Compressor
import Generators
import LinkModel

/// A saved case: a self-describing text file holding everything needed to replay one
/// finding (a property case or a build), so that `kallsyms-lab replay FILE` and the tests
/// that replay `Tests/Corpus/findings/` reproduce it.
///
/// ```
/// # kallsyms-lab case v1
/// kind: property                      property | build
/// property: retype-invariance         (property cases) the law that was checked
/// target: pass-convergence            (build cases) the campaign target
/// era: v6.1
/// flags: --all-symbols
/// mitigations: extra-pass pad=16      (build cases) build options
/// seed: 0x2a                          the seed that produced the case, before shrinking
/// rules: lld                          (build cases) whose stub rules the model follows (default gnu)
/// expect: fails                       fails | passes: what replaying must show
/// reason: retyping `b` t->d changed kallsyms_names from 27 to 28 bytes
/// --- mutations                       one mutation per line (Generators' text form)
/// retype b@c0008010 d
/// --- map                             the nm -n map, ADDRESS TYPE NAME per line
/// c0008000 T _text
/// --- layout                          (build cases) the layout's text form
/// layout shrunk
/// …
/// ```
/// Lines starting with `#` before the first section are comments. Unknown header keys are
/// an error (so a typo does not silently change a replay).
public struct CaseFile: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable { case property, build }
    public enum Expectation: String, Hashable, Sendable { case fails, passes }

    public var kind: Kind
    public var property: String?
    public var target: String?
    public var era: Era
    public var options: KallsymsOptions
    public var mitigations: [String]
    public var seed: UInt64?
    public var expectation: Expectation
    public var reason: String
    public var mutations: [Mutation]
    public var map: [SymbolRecord]
    public var layout: Layout?
    /// `nm:` the letters a build case was found with (nil: the era's own time).
    public var letters: SymbolLetters?
    /// `rules:` whose rules (stubs, empty sections) the model follows when it replays a build
    /// case (nil: GNU ld's).
    public var rules: LinkerFlavour?
    /// `confirmed:` the real linkers (and versions) that reproduced the verdict, `; `-separated.
    public var confirmedBy: [String] = []

    public init(
        kind: Kind, property: String? = nil, target: String? = nil, era: Era, options: KallsymsOptions = .init(),
        mitigations: [String] = [], seed: UInt64? = nil, expectation: Expectation, reason: String,
        mutations: [Mutation] = [], map: [SymbolRecord] = [], layout: Layout? = nil
    ) {
        self.kind = kind
        self.property = property
        self.target = target
        self.era = era
        self.options = options
        self.mitigations = mitigations
        self.seed = seed
        self.expectation = expectation
        self.reason = reason
        self.mutations = mutations
        self.map = map
        self.layout = layout
    }

    static let magic = "# kallsyms-lab case v1"

    /// The text form.
    public var description: String {
        var lines = [Self.magic, "# replay: kallsyms-lab replay THIS_FILE", "kind: \(kind.rawValue)"]
        if let property { lines.append("property: \(property)") }
        if let target { lines.append("target: \(target)") }
        lines.append("era: \(era)")
        lines.append("flags: \(options.description)")
        if !mitigations.isEmpty { lines.append("mitigations: \(mitigations.joined(separator: " "))") }
        if let seed { lines.append("seed: 0x\(String(seed, radix: 16))") }
        if let letters { lines.append("nm: \(letters)") }
        if let rules { lines.append("rules: \(rules)") }
        if !confirmedBy.isEmpty { lines.append("confirmed: \(confirmedBy.joined(separator: "; "))") }
        lines.append("expect: \(expectation.rawValue)")
        lines.append("reason: \(reason.replacingNewlines())")
        if !mutations.isEmpty {
            lines.append("--- mutations")
            lines += mutations.map(\.description)
        }
        var text = lines.joined(separator: "\n") + "\n"
        if !map.isEmpty || kind == .property {
            text += "--- map\n" + String(decoding: MapWriter.write(map), as: UTF8.self)
        }
        if let layout {
            text += "--- layout\n" + layout.description
            if !text.hasSuffix("\n") { text += "\n" }
        }
        return text
    }

    /// Reads the text form; errors name the line.
    public init(parsing text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == Self.magic else {
            throw CaseFileError("not a kallsyms-lab case file (the first line must be \"\(Self.magic)\")", line: 1)
        }
        var headers: [String: (value: String, line: Int)] = [:]
        var sections: [String: (lines: [String], firstLine: Int)] = [:]
        var current: String?
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            if line.hasPrefix("--- ") {
                let name = String(line.dropFirst(4))
                guard ["mutations", "map", "layout"].contains(name), sections[name] == nil else {
                    throw CaseFileError("unknown or repeated section \"\(name)\"", line: number)
                }
                current = name
                sections[name] = ([], number + 1)
                continue
            }
            if let section = current {
                sections[section]!.lines.append(line)
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw CaseFileError("expected \"key: value\"", line: number)
            }
            let key = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingLeadingBlanks()
            guard Self.headerKeys.contains(key), headers[key] == nil else {
                throw CaseFileError("unknown or repeated key \"\(key)\"", line: number)
            }
            headers[key] = (value, number)
        }
        func required(_ key: String) throws -> (value: String, line: Int) {
            guard let header = headers[key] else { throw CaseFileError("missing \"\(key):\"") }
            return header
        }
        let kindHeader = try required("kind")
        guard let kind = Kind(rawValue: kindHeader.value) else {
            throw CaseFileError("kind must be property or build", line: kindHeader.line)
        }
        let eraHeader = try required("era")
        guard let era = Era(name: eraHeader.value) else {
            throw CaseFileError("unknown era \(eraHeader.value)", line: eraHeader.line)
        }
        let expectHeader = try required("expect")
        guard let expectation = Expectation(rawValue: expectHeader.value) else {
            throw CaseFileError("expect must be fails or passes", line: expectHeader.line)
        }
        var options = KallsymsOptions()
        if let flags = headers["flags"] {
            for flag in flags.value.split(separator: " ") {
                switch flag {
                case "--all-symbols": options.allSymbols = true
                case "--absolute-percpu": options.absolutePercpu = true
                case "--base-relative": options.baseRelative = true
                case "--pc-relative": options.pcRelative = true
                default:
                    if flag.hasPrefix("--symbol-prefix="), flag.utf8.count == 17 {
                        options.symbolPrefix = flag.utf8.last
                    } else {
                        throw CaseFileError("unknown flag \(flag)", line: flags.line)
                    }
                }
            }
            do { try era.validate(options) } catch let error as KallsymsError {
                throw CaseFileError(error.message, line: flags.line)
            }
        }
        var seed: UInt64?
        if let header = headers["seed"] {
            let digits = header.value.hasPrefix("0x") ? String(header.value.dropFirst(2)) : header.value
            guard let value = UInt64(digits, radix: header.value.hasPrefix("0x") ? 16 : 10) else {
                throw CaseFileError("seed must be a number", line: header.line)
            }
            seed = value
        }
        var mutations: [Mutation] = []
        if let section = sections["mutations"] {
            for (offset, line) in section.lines.enumerated() where !line.isEmpty {
                do { mutations.append(try Mutation(parsing: line)) } catch {
                    throw CaseFileError("mutation: \(error)", line: section.firstLine + offset)
                }
            }
        }
        var map: [SymbolRecord] = []
        if let section = sections["map"] {
            let body = section.lines.joined(separator: "\n")
            do {
                map = try Era.v7_0.parse(Array(body.utf8)).records
            } catch let error as KallsymsError {
                throw CaseFileError("map: \(error.message)", line: (error.line ?? 1) + section.firstLine - 1)
            }
        }
        var layout: Layout?
        if let section = sections["layout"] {
            do {
                layout = try Layout(parsing: section.lines.joined(separator: "\n"))
            } catch let error as LayoutError {
                throw CaseFileError("layout: \(error.message)", line: (error.line ?? 1) + section.firstLine - 1)
            }
        }
        self.init(
            kind: kind, property: headers["property"]?.value, target: headers["target"]?.value, era: era,
            options: options, mitigations: headers["mitigations"].map { $0.value.split(separator: " ").map(String.init) } ?? [],
            seed: seed, expectation: expectation, reason: headers["reason"]?.value ?? "", mutations: mutations,
            map: map, layout: layout)
        if let header = headers["nm"] {
            guard let letters = SymbolLetters(rawValue: header.value) else {
                throw CaseFileError("nm must be 2012 or modern", line: header.line)
            }
            self.letters = letters
        }
        if let header = headers["rules"] {
            guard let rules = LinkerFlavour(rawValue: header.value) else {
                throw CaseFileError("rules must be gnu or lld", line: header.line)
            }
            self.rules = rules
        }
        confirmedBy = headers["confirmed"].map { $0.value.components(separatedBy: "; ").filter { !$0.isEmpty } } ?? []
    }

    static let headerKeys: Set<String> = [
        "kind", "property", "target", "era", "flags", "mitigations", "seed", "nm", "rules",
        "confirmed", "expect", "reason",
    ]
}

extension String {
    func trimmingLeadingBlanks() -> String { String(drop { $0 == " " || $0 == "\t" }) }
    func replacingNewlines() -> String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ") }
}

/// A case file that does not parse: the message and the line.
public typealias CaseFileError = FormatError<CaseFile>

extension CaseFile {
    /// The build a build case describes: its era and flags, `nm` letters and stub rules (GNU ld's
    /// unless it says `rules: lld`), with `mitigations` (its own, parsed).
    public func buildOptions(mitigations: [Mitigation]) -> BuildOptions {
        BuildOptions(era: era, kallsyms: options, mitigations: mitigations, letters: letters, linker: rules ?? .gnu)
    }
}
