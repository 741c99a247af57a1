import Compressor
import LinkModel
import Randomness

/// The instruction set of a generated kernel's calls (`--arch`).
public enum KernelArchitecture: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// 32-bit ARM (A32 `bl`, ±32 MB), a multi_v7-like image.
    case arm
    /// 32-bit ARM built as Thumb-2 (`bl` ±16 MB).
    case thumb2
    /// AArch64 (`bl`, ±128 MB).
    case arm64

    public var description: String { rawValue }

    /// The layout target.
    public var target: TargetABI { self == .arm64 ? .arm64 : .arm32 }
    /// Where the image is linked.
    public var base: UInt64 { self == .arm64 ? 0xffff_8000_0800_0000 : 0xc000_8000 }
    /// The range of `.text` sizes drawn (bytes): around the branch range, as allmodconfig- and
    /// allyesconfig-sized images are (24–40 MB on ARM; 12–24 MB for Thumb-2; 100–200 MB on arm64).
    public var textSizes: ClosedRange<UInt64> {
        switch self {
        case .arm: return 24 << 20...40 << 20
        case .thumb2: return 12 << 20...24 << 20
        case .arm64: return 100 << 20...200 << 20
        }
    }
}

/// Today's kernel shapes on top of `LayoutGenerator`'s: the same sections (the init text after
/// `.rodata`, which holds the kallsyms tables), but the target and link address of `arm` or
/// `arm64`, a `.text` as large as today's big configurations, and calls from `.init.text` to
/// `.text`, so that the tables sit between callers and callees (issue 15; docs/linkers.md,
/// "Branch stubs").
///
/// - `.text` is scaled to a size drawn from `Options.textSizes`: every offset is multiplied by
///   the same factor and rounded down to a multiple of 4, so symbols keep their order and lie
///   on words (symbols fewer than 4 bytes apart after scaling share an address).
/// - Calls follow a `CallProfile` learned from a real kernel: as many distinct callees as the
///   profile's share of `.text`'s symbols, each drawn among the global functions of a slice of
///   `.text` chosen with the profile's weights, and each called once, from a word offset of
///   `.init.text` drawn uniformly (no symbol strictly inside the instruction). Once is enough:
///   `.init.text` is one input section, and both linkers give a target one stub per caller
///   section (GNU ld) or per target place (LLD), so further calls to it add no stub.
public enum ModernLayout {
    /// What `apply` makes: the architecture, the `.text` sizes drawn and the calls' profile.
    public struct Options: Hashable, Sendable {
        public var architecture: KernelArchitecture
        /// The range of `.text` sizes drawn (bytes; a page at a time).
        public var textSizes: ClosedRange<UInt64>
        public var calls: CallProfile

        /// Defaults: the architecture's `textSizes` and built-in call profile.
        public init(architecture: KernelArchitecture, textSizes: ClosedRange<UInt64>? = nil, calls: CallProfile? = nil) {
            self.architecture = architecture
            self.textSizes = textSizes ?? architecture.textSizes
            self.calls = calls ?? .builtIn(for: architecture)
        }
    }

    /// Campaigns draw the modern shape from the case seed xor this, so that the underlying
    /// layout of a case is the one the 2012 shape draws.
    public static let streamSalt: UInt64 = 0x6d6f_6465_726e_0015

    /// `layout` (from `LayoutGenerator`) made into today's shape for `architecture`, with its
    /// default sizes and profile.
    public static func apply(
        _ layout: Layout, architecture: KernelArchitecture,
        using rng: inout some RandomNumberGenerator
    ) -> Layout {
        apply(layout, options: Options(architecture: architecture), using: &rng)
    }

    /// `layout` made into today's shape as `options` say. Deterministic for a given random stream.
    public static func apply(
        _ layout: Layout, options: Options,
        using rng: inout some RandomNumberGenerator
    ) -> Layout {
        let architecture = options.architecture
        var result = layout
        result.target = architecture.target
        result.base = architecture.base
        result.usesThumb = architecture == .thumb2
        let sizes = options.textSizes
        let drawn = sizes.lowerBound + UInt64(RandomDraws.index(Int((sizes.upperBound - sizes.lowerBound) >> 12) + 1, using: &rng)) << 12
        guard let textIndex = index(of: ".text", in: result), let initIndex = index(of: ".init.text", in: result),
            case .section(var text) = result.items[textIndex], case .section(var initText) = result.items[initIndex]
        else { return result }
        let scale = Double(drawn) / Double(max(1, text.size))
        text.size = drawn
        text.members = text.members.map { member in
            guard case .symbol(let name, let offset, let binding) = member else { return member }
            return .symbol(name: name, offset: min(drawn, UInt64(Double(offset) * scale)) & ~3, binding: binding)
        }
        result.items[textIndex] = .section(text)
        guard initText.alignment >= 4 else { return result }
        initText.calls = calls(from: initText, into: text, callable: result.callableSymbols, profile: options.calls, using: &rng)
        result.items[initIndex] = .section(initText)
        return result
    }

    /// The calls of `caller` into `text` that `profile` draws (see the type's documentation).
    static func calls(
        from caller: Section, into text: Section, callable: Set<NameKey>, profile: CallProfile,
        using rng: inout some RandomNumberGenerator
    ) -> [Section.Call] {
        let sliceCount = profile.slices.count
        var symbols = 0
        var bySlice = [[[UInt8]]](repeating: [], count: sliceCount)
        for member in text.members {
            guard case .symbol(let name, let offset, let binding) = member else { continue }
            symbols += 1
            guard binding != .local, callable.contains(NameKey(name)) else { continue }
            let slice = min(sliceCount - 1, Int(Double(offset) / Double(max(1, text.size)) * Double(sliceCount)))
            bySlice[slice].append(name)
        }
        // Word offsets a call may take: inside the section, no symbol strictly inside.
        var blocked = Set<UInt64>()
        for member in caller.members {
            if case .symbol(_, let offset, _) = member, offset % 4 != 0 { blocked.insert(offset & ~3) }
        }
        let words = caller.size / 4
        let wanted = Int((Double(symbols) * profile.calleeShare).rounded())
        let count = min(wanted, Int(words) - blocked.count, bySlice.reduce(0) { $0 + $1.count })
        guard count > 0 else { return [] }
        var weights = profile.slices.enumerated().map { bySlice[$0.offset].isEmpty ? 0 : UInt64($0.element) }
        var total = weights.reduce(0, +)
        var callees: [[UInt8]] = []
        while callees.count < count, total > 0 {
            var pick = RandomDraws.below(total, using: &rng)
            var slice = 0
            while pick >= weights[slice] {
                pick -= weights[slice]
                slice += 1
            }
            let chosen = RandomDraws.index(bySlice[slice].count, using: &rng)
            bySlice[slice].swapAt(chosen, bySlice[slice].count - 1)
            callees.append(bySlice[slice].removeLast())
            if bySlice[slice].isEmpty {
                total -= weights[slice]
                weights[slice] = 0
            }
        }
        var offsets = Set<UInt64>()
        while offsets.count < callees.count {
            let offset = RandomDraws.below(words, using: &rng) * 4
            if !blocked.contains(offset) { offsets.insert(offset) }
        }
        return zip(offsets.sorted(), callees).map { Section.Call(offset: $0, target: $1) }
    }

    private static func index(of name: String, in layout: Layout) -> Int? {
        layout.items.firstIndex { if case .section(let section) = $0 { return section.name == name } else { return false } }
    }
}
