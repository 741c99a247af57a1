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
/// - `.text` grows by a whole factor (a multiple of 4) to a size drawn from
///   `KernelArchitecture.textSizes`: every offset is multiplied, so symbols keep their order,
///   their equal-address groups, and word alignment.
/// - Calls: each `.init.text` symbol at a word offset with no other symbol inside the next
///   four bytes calls a global `.text` function. The callee is drawn uniformly among them, so
///   call distances follow the spread of functions over `.text` (a drawn profile, not one
///   learned from a real kernel's calls).
public enum ModernLayout {
    /// Campaigns draw the modern shape from the case seed xor this, so that the underlying
    /// layout of a case is the one the 2012 shape draws.
    public static let streamSalt: UInt64 = 0x6d6f_6465_726e_0015
    /// `layout` (from `LayoutGenerator`) made into today's shape for `architecture`.
    /// Deterministic for a given random stream.
    public static func apply(
        _ layout: Layout, architecture: KernelArchitecture,
        using rng: inout some RandomNumberGenerator
    ) -> Layout {
        var result = layout
        result.target = architecture.target
        result.base = architecture.base
        result.usesThumb = architecture == .thumb2
        let sizes = architecture.textSizes
        let drawn = sizes.lowerBound + UInt64(RandomDraws.index(Int((sizes.upperBound - sizes.lowerBound) >> 12) + 1, using: &rng)) << 12
        guard let textIndex = index(of: ".text", in: result), let initIndex = index(of: ".init.text", in: result),
            case .section(var text) = result.items[textIndex], case .section(var initText) = result.items[initIndex]
        else { return result }
        let factor = max(4, (drawn / max(1, text.size)) & ~3)
        text.size *= factor
        text.members = text.members.map { member in
            guard case .symbol(let name, let offset, let binding) = member else { return member }
            return .symbol(name: name, offset: offset * factor, binding: binding)
        }
        result.items[textIndex] = .section(text)
        let callable = result.callableSymbols
        let callees = text.members.compactMap { member -> [UInt8]? in
            guard case .symbol(let name, _, let binding) = member, binding != .local, callable.contains(NameKey(name)) else { return nil }
            return name
        }
        guard !callees.isEmpty, initText.alignment >= 4 else { return result }
        let offsets = initText.members.compactMap { member -> UInt64? in
            if case .symbol(_, let offset, _) = member { return offset } else { return nil }
        }.sorted()
        var calls: [Section.Call] = []
        for (position, offset) in offsets.enumerated() where offset % 4 == 0 && offset + 4 <= initText.size {
            if calls.last?.offset == offset { continue }
            // No symbol strictly inside the instruction.
            if position + 1 < offsets.count, offsets[(position + 1)...].first(where: { $0 != offset }).map({ $0 < offset + 4 }) ?? false {
                continue
            }
            calls.append(Section.Call(offset: offset, target: callees[RandomDraws.index(callees.count, using: &rng)]))
        }
        initText.calls = calls
        result.items[initIndex] = .section(initText)
        return result
    }

    private static func index(of name: String, in layout: Layout) -> Int? {
        layout.items.firstIndex { if case .section(let section) = $0 { return section.name == name } else { return false } }
    }
}
