/// How a `kallsyms_addresses` (or `kallsyms_relative_base`) entry names its address
/// (docs/behaviour.md §6.4).
public enum AddressEntry: Hashable, Sendable {
    /// `_text + D`.
    case textPlus(UInt64)
    /// `_text - D`.
    case textMinus(UInt64)
    /// A raw value (v3.3's quirk, v5.10/v6.1's per-cpu absolute symbols, or a value read from an image).
    case absolute(UInt64)

    /// The `_text`-relative entry for `address`, as the generators print it.
    public static func relative(_ address: UInt64, text: UInt64) -> AddressEntry {
        text <= address ? .textPlus(address &- text) : .textMinus(text &- address)
    }

    /// The address this entry stands for when `_text` is at `text`.
    public func resolved(text: UInt64) -> UInt64 {
        switch self {
        case .textPlus(let delta): return text &+ delta
        case .textMinus(let delta): return text &- delta
        case .absolute(let value): return value
        }
    }
}

/// The address tables of one era and flag set (docs/behaviour.md §6.4).
public enum AddressTable: Hashable, Sendable {
    /// `kallsyms_addresses`: one pointer-sized entry per symbol (v3.3; v5.10/v6.1 without `--base-relative`).
    case addresses([AddressEntry])
    /// `kallsyms_offsets` (32-bit) and `kallsyms_relative_base` (v5.10/v6.1 `--base-relative`, v6.19).
    /// With `absolutePercpu`, non-negative offsets are absolute values and negative ones mean
    /// `base − 1 − offset` (v5.10/v6.1 `--absolute-percpu`).
    case baseRelative(offsets: [UInt32], base: AddressEntry, absolutePercpu: Bool)
    /// v7.0 `--pc-relative` as written in the `.S`: `_text - . + (S)`, the symbol is at `_text + S`.
    case textRelative([Int32])
    /// v7.0 `--pc-relative` as stored in an image: the symbol is at the slot's address plus its value.
    case slotRelative([Int32], tableAddress: UInt64)
    /// v7.0 without `--pc-relative`: the low 32 bits of each address.
    case absolute32([UInt32])

    /// How many entries the table has.
    public var count: Int {
        switch self {
        case .addresses(let entries): return entries.count
        case .baseRelative(let offsets, _, _): return offsets.count
        case .textRelative(let values): return values.count
        case .slotRelative(let values, _): return values.count
        case .absolute32(let values): return values.count
        }
    }

    /// The address of entry `index` when `_text` is at `text` (docs/behaviour.md §7, "The address
    /// of symbol i").
    public func address(at index: Int, text: UInt64) -> UInt64 {
        switch self {
        case .addresses(let entries):
            return entries[index].resolved(text: text)
        case .baseRelative(let offsets, let base, let absolutePercpu):
            let baseAddress = base.resolved(text: text)
            let offset = offsets[index]
            if !absolutePercpu { return baseAddress &+ UInt64(offset) }
            let signed = Int32(bitPattern: offset)
            if signed >= 0 { return UInt64(offset) }
            return baseAddress &- 1 &- UInt64(bitPattern: Int64(signed))
        case .textRelative(let values):
            return text &+ UInt64(bitPattern: Int64(values[index]))
        case .slotRelative(let values, let tableAddress):
            return tableAddress &+ UInt64(index &* 4) &+ UInt64(bitPattern: Int64(values[index]))
        case .absolute32(let values):
            return UInt64(values[index])
        }
    }
}
