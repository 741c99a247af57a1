import Compressor

/// How a kernel's init code calls into `.text`: which share of `.text`'s functions
/// `.init.text` calls, and where in `.text` those callees lie. `ModernLayout` draws the calls
/// of today's shapes from it, so that the branch stubs a link needs (one per callee out of
/// range) come in a real kernel's number and places rather than uniformly.
///
/// Learned from a kernel image and its symbols (`CallProfile.learn`, `kallsyms-lab profile
/// --calls`): every branch-and-link instruction in `[_sinittext, _einittext)` whose target lies
/// in `[_stext, _etext)`, counted once per distinct target. Its text form is what the command
/// prints and `fuzz --call-profile` reads:
///
/// ```
/// # a comment
/// instructions arm
/// callees 1612 of 42446
/// slices 151 68 87 …
/// ```
public struct CallProfile: Hashable, Sendable, CustomStringConvertible {
    /// The instruction set whose calls were counted (`arm` or `arm64`).
    public var instructions: InstructionSet
    /// Distinct functions of `.text` that `.init.text` calls.
    public var callees: Int
    /// Functions (`T`, `t`, `W`, `w` symbols at distinct addresses) in `.text`.
    public var functions: Int
    /// Distinct callees per equal slice of `.text`, the first slice starting at `_stext`.
    public var slices: [Int]
    /// Where it was learned (a comment line of the text form).
    public var source: String

    /// The instruction sets `learn` decodes.
    public enum InstructionSet: String, CaseIterable, Hashable, Sendable {
        /// A32 `bl` (condition ≠ 0xf): `cond 1011 imm24`, target `pc + 8 + imm24·4`.
        case arm
        /// A64 `bl`: `100101 imm26`, target `pc + imm26·4`.
        case arm64
    }

    public init(instructions: InstructionSet, callees: Int, functions: Int, slices: [Int], source: String = "") {
        self.instructions = instructions
        self.callees = callees
        self.functions = functions
        self.slices = slices
        self.source = source
    }

    /// The share of `.text`'s functions that init code calls.
    public var calleeShare: Double { functions == 0 ? 0 : Double(callees) / Double(functions) }

    /// The built-in profile for `architecture`'s calls: the armhf one for ARM and Thumb-2 (no
    /// Thumb-2 kernel was at hand to learn from), the arm64 one for arm64.
    public static func builtIn(for architecture: KernelArchitecture) -> CallProfile {
        architecture == .arm64 ? .arm64 : .armhf
    }

    /// Learned from Debian's `linux-image-6.1.0-50-armmp` 6.1.176 with `kallsyms-lab profile
    /// --calls --map System.map vmlinuz-6.1.0-50-armmp` (the zImage's xz payload, and the
    /// `System.map` of the same build): 14 656 calls from `.init.text` into an 11 MB `.text`.
    public static let armhf = CallProfile(
        instructions: .arm, callees: 1612, functions: 42446,
        slices: [
            151, 68, 87, 56, 39, 7, 20, 58, 86, 32, 50, 28, 51, 4, 70, 36,
            16, 151, 29, 38, 69, 19, 11, 91, 34, 14, 12, 8, 10, 37, 11, 219,
        ],
        source: "Debian linux-image-6.1.0-50-armmp 6.1.176 (vmlinuz, System.map)")

    /// Learned from Debian's `linux-image-6.1.0-50-arm64` 6.1.176 with `kallsyms-lab profile
    /// --calls vmlinuz-6.1.0-50-arm64` (an uncompressed `Image`; the symbols from its own
    /// kallsyms tables): calls from `.init.text` into a 13.6 MB `.text`.
    public static let arm64 = CallProfile(
        instructions: .arm64, callees: 1759, functions: 47713,
        slices: [
            64, 91, 96, 79, 46, 7, 25, 90, 54, 55, 38, 44, 61, 19, 92, 10,
            18, 102, 111, 36, 46, 81, 31, 27, 89, 30, 12, 10, 14, 36, 17, 228,
        ],
        source: "Debian linux-image-6.1.0-50-arm64 6.1.176 (Image, its kallsyms tables)")

    /// The text form (see the type's documentation).
    public var description: String {
        var lines: [String] = []
        if !source.isEmpty { lines.append("# learned from \(source)") }
        lines.append("instructions \(instructions.rawValue)")
        lines.append("callees \(callees) of \(functions)")
        lines.append("slices " + slices.map(String.init).joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads the text form; an error names the line (1-based) and what is wrong with it.
    public init(parsing text: String) throws(CallProfileError) {
        var instructions: InstructionSet?
        var counts: (Int, Int)?
        var slices: [Int]?
        var source = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let comment = line.dropFirst().trimmingCharacters(in: " \t")
                if source.isEmpty, comment.hasPrefix("learned from ") { source = String(comment.dropFirst("learned from ".count)) }
                continue
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            switch words[0] {
            case "instructions":
                guard words.count == 2, let set = InstructionSet(rawValue: words[1]) else {
                    throw CallProfileError(line: number, "'instructions' takes arm or arm64")
                }
                instructions = set
            case "callees":
                guard words.count == 4, words[2] == "of", let called = Int(words[1]), let all = Int(words[3]), called >= 0, all > 0, called <= all else {
                    throw CallProfileError(line: number, "'callees' takes 'N of M' with 0 ≤ N ≤ M and M > 0")
                }
                counts = (called, all)
            case "slices":
                let values = words.dropFirst().map { Int($0) }
                guard (1...4096).contains(values.count), values.allSatisfy({ (0...1_000_000_000).contains($0 ?? -1) }), values.contains(where: { $0! > 0 })
                else {
                    throw CallProfileError(line: number, "'slices' takes 1 to 4096 counts from 0 to 10⁹, not all 0")
                }
                slices = values.map { $0! }
            default:
                let shown = words[0].count > 40 ? words[0].prefix(40) + "…" : Substring(words[0])
                throw CallProfileError(line: number, "unknown line '\(shown)' (known: instructions, callees, slices, # comments)")
            }
        }
        guard let instructions else { throw CallProfileError(line: 0, "no 'instructions' line") }
        guard let counts else { throw CallProfileError(line: 0, "no 'callees' line") }
        guard let slices else { throw CallProfileError(line: 0, "no 'slices' line") }
        self.init(instructions: instructions, callees: counts.0, functions: counts.1, slices: slices, source: source)
    }
}

/// A call profile that cannot be read or learned; `line` is 0 when it is about the whole input.
public struct CallProfileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int = 0, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
