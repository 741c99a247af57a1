import Compressor

/// How one real linker adds branch stubs on one architecture: when a call is out of range,
/// which stub it writes, how big, where, and in which order (docs/linkers.md, "Branch stubs").
///
/// Every number here was measured by linking for real (GNU ld 2.40, LLD 21) and reading
/// `nm -n`; the differential property `model-matches-linker` keeps checking them.
///
/// | | GNU ld ARM | GNU ld AArch64 | LLD ARM | LLD AArch64 |
/// |---|---|---|---|---|
/// | name | `__T_veneer` | `__T_veneer` | `__ARMv7ABSLongThunk_T` | `__AArch64AbsLongThunk_T` |
/// | one stub per | caller section and target | caller section and target | target, reused while in range | the same |
/// | area | after the caller's input section, 8-aligned | the same, a branch and a nop first | after the caller's input section description, 4-aligned | the same, 8-aligned |
/// | bytes per stub | 8 | 24 reserved, symbols 16 apart | 12 | 16 |
/// | order | bfd hash order of the stub's key | the same | creation order | creation order |
public struct BranchStubs: Hashable, Sendable {
    /// Which linker.
    public var linker: LinkerFlavour
    /// ARM (A32 `bl`, ±32 MB) or AArch64 (`bl`, ±128 MB).
    public var isAArch64: Bool
    /// Thumb-2 callers (`bl`, ±16 MB) on ARM.
    public var isThumb: Bool

    /// The rules of `linker` for layouts of `target` (nil: calls are not modelled there);
    /// `thumb`: an ARM layout's code is Thumb-2.
    public init?(linker: LinkerFlavour, target: TargetABI, thumb: Bool = false) {
        switch target {
        case .arm32: isAArch64 = false
        case .arm64: isAArch64 = true
        default: return nil
        }
        self.linker = linker
        isThumb = thumb && !isAArch64
    }

    /// Whether a `bl` at `call` reaches `target` without a stub.
    ///
    /// ARM: the offset from the instruction plus 8 fits 26 signed bits (GNU ld's
    /// `ARM_MAX_FWD_BRANCH_OFFSET`, LLD's `isInt<26>`); AArch64: the offset from the
    /// instruction fits 28 signed bits.
    public func reaches(from call: UInt64, to target: UInt64) -> Bool {
        let distance = Int64(bitPattern: target &- call)
        if isAArch64 { return distance >= -(1 << 27) && distance <= (1 << 27) - 4 }
        if isThumb {
            let offset = distance &- 4
            return offset >= -(1 << 24) && offset <= (1 << 24) - 2
        }
        let offset = distance &- 8
        return offset >= -(1 << 25) && offset <= (1 << 25) - 4
    }

    /// The stub's symbol for a call to `target`.
    public func name(for target: [UInt8]) -> [UInt8] {
        switch (linker, isAArch64) {
        case (.gnu, _): return Array("__".utf8) + target + Array("_veneer".utf8)
        case (.lld, false) where isThumb: return Array("__Thumbv7ABSLongThunk_".utf8) + target
        case (.lld, false): return Array("__ARMv7ABSLongThunk_".utf8) + target
        case (.lld, true): return Array("__AArch64AbsLongThunk_".utf8) + target
        }
    }

    /// The absolute alignment of a stub area holding a stub. GNU ld's stub sections are
    /// 8-aligned and, being input sections, raise their output section's alignment
    /// (`raisesSectionAlignment`); LLD's thunk sections are placed after the output section's
    /// alignment is fixed, aligned to their thunks': 4, or 8 for a long AArch64 thunk (its
    /// literal).
    func areaAlignment(isLong: Bool) -> UInt64 {
        if linker == .gnu || (isAArch64 && isLong) { return 8 }
        return isThumb ? 2 : 4
    }
    var raisesSectionAlignment: Bool { linker == .gnu }

    /// A stub's own alignment inside its area.
    func alignment(isLong: Bool) -> UInt64 { linker == .lld ? areaAlignment(isLong: isLong) : 1 }

    /// Bytes before the first stub: GNU ld's AArch64 stub section starts with a branch over
    /// the stubs and a nop.
    var headerSize: UInt64 { linker == .gnu && isAArch64 ? 8 : 0 }

    /// LLD writes a thunk as a single `b` while that reaches the target.
    var hasShortForm: Bool { linker == .lld }

    /// Whether LLD's thunk at `thunk` may be a single `b` to `target`
    /// (`ARMThunk::getMayUseShortThunk`, `AArch64Thunk::getMayUseShortThunk`). On ARM, LLD
    /// sign-extends the 32-bit target address but not the thunk's, so a target at or above
    /// 0x80000000 (every kernel address) never gets a short thunk (measured: differential
    /// case 42 with calls, a thunk 32 MB − 136 bytes from its target is 12 bytes).
    func allowsShortThunk(at thunk: UInt64, to target: UInt64) -> Bool {
        if isAArch64 { return reaches(from: thunk, to: target) }
        if isThumb {
            // `ThumbThunk::getMayUseShortThunk`: the target's address with its Thumb bit, sign-extended.
            let signExtended = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: target | 1)))
            let offset = Int64(bitPattern: signExtended &- (thunk & ~1) &- 4)
            return offset >= -(1 << 24) && offset < (1 << 24)
        }
        let signExtended = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: target)))
        let offset = Int64(bitPattern: signExtended &- thunk &- 8)
        return offset >= -(1 << 25) && offset < (1 << 25)
    }

    /// Bytes a stub takes. GNU ld AArch64 reserves 24 (its longest stub) for each but writes
    /// the 12-byte `adrp` stubs 16 apart: the stubs take 16 each and the area adds the rest
    /// at its end (`trailingSize`).
    func size(isLong: Bool) -> UInt64 {
        switch (linker, isAArch64) {
        case (.gnu, false): return 8
        case (.gnu, true): return 16
        case (.lld, false): return isLong ? (isThumb ? 10 : 12) : 4
        case (.lld, true): return isLong ? 16 : 4
        }
    }

    /// GNU ld AArch64: the bytes its stub section has beyond the stubs' 16 each.
    func trailingSize(stubs: Int) -> UInt64 { linker == .gnu && isAArch64 ? 8 * UInt64(stubs) : 0 }

    /// GNU ld: a stub serves the calls of one caller section (its stub group); LLD reuses a
    /// thunk from anywhere while it is in range.
    var isPerCallerSection: Bool { linker == .gnu }

    /// GNU ld writes a group's stubs in the order its stub hash table is traversed.
    var isInHashOrder: Bool { linker == .gnu }

    /// GNU ld's key for a stub: the caller section's bfd id, the target, the addend (0) and
    /// for ARM the stub type (1, `arm_stub_long_branch_any_any`):
    /// `elf32_arm_stub_name`'s `%08x_%s+%x_%d`, `elfNN_aarch64_stub_name`'s `%08x_%s+%x`.
    func hashKey(sectionID: Int, target: [UInt8]) -> [UInt8] {
        var hex = String(UInt32(truncatingIfNeeded: sectionID), radix: 16)
        hex = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        return Array(hex.utf8) + [UInt8(ascii: "_")] + target + Array((isAArch64 ? "+0" : "+0_1").utf8)
    }

    /// The bfd id of the `ordinal`-th section (1: `.text`) of the first object GNU ld reads.
    /// bfd numbers sections from 16; on ARM the linker's interworking glue sections take four
    /// ids before the first object's (measured: `.text` is 20 on ARM, 16 on AArch64).
    func sectionID(ordinal: Int) -> Int { (isAArch64 ? 15 : 19) + ordinal }

    /// binutils' `bfd_hash_hash` on a 64-bit host.
    static func bfdHash(_ key: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0
        for byte in key {
            let c = UInt64(byte)
            hash = hash &+ (c &+ (c << 17))
            hash ^= hash >> 2
        }
        let length = UInt64(key.count)
        hash = hash &+ (length &+ (length << 17))
        hash ^= hash >> 2
        return hash
    }

    /// The buckets of a stub hash table (`bfd_default_hash_table_size`); it grows past
    /// three quarters full, which the model does not follow (3 038 stubs).
    static let hashTableSize: UInt64 = 4051
}
