/// Where binutils re-homes the symbols of an output section it removed because it was empty
/// (`_bfd_fix_excluded_sec_syms` → `_bfd_nearby_section`, docs/behaviour.md §9).
///
/// The symbols keep their addresses; only their section changes, and with it their `nm`
/// letter. The rule, in the order binutils applies it (`next` wins unless a test says `prev`):
/// 1. no kept section before: `next`, or the absolute section when there is none after either;
///    none after: `prev`;
/// 2. `prev` and `next` differ in ALLOC, TLS or LOAD: `prev` if `next` differs from the removed
///    section in ALLOC or TLS, or if `prev` is loaded and `next` is not;
/// 3. else they differ in READONLY: `prev` if `next` differs from the removed section in it;
/// 4. else they differ in CODE: `prev` if `next` differs from the removed section in it;
/// 5. else (flags agree): `prev` if the symbol's address is below `next`'s start, so that the
///    symbol's value relative to its new section stays positive.
///
/// Rule 5 is the 2012 ARM trigger: an empty per-cpu section between `.init.data` and `.data`
/// (both plain data by flags) gives its markers `.init.data`'s letter while padding separates
/// them from `.data`, and `.data`'s letter when the alignments collapse onto `.data`'s start.
public enum NearbySection {
    /// The section a symbol is re-homed to.
    public enum Choice: Hashable, Sendable {
        case previous
        case next
        /// Neither neighbour exists: the symbol becomes absolute (`nm` letter `A`/`a`).
        case absolute
    }

    /// A kept neighbour: its flags and start address.
    public struct Neighbour: Hashable, Sendable {
        public var flags: SectionFlags
        public var start: UInt64
        /// A kept section with `flags` starting at `start`.
        public init(flags: SectionFlags, start: UInt64) {
            self.flags = flags
            self.start = start
        }
    }

    /// Chooses between the kept sections around a removed one, for a symbol at `address`.
    ///
    /// `removed` is the removed section's own flags; its LOAD flag is never compared (binutils
    /// notes it is not set on a removed section).
    public static func choose(
        previous: Neighbour?, next: Neighbour?, removed: SectionFlags,
        address: UInt64
    ) -> Choice {
        guard let previous else { return next == nil ? .absolute : .next }
        guard let next else { return .previous }
        let differing = previous.flags.symmetricDifference(next.flags)
        let fromRemoved = next.flags.symmetricDifference(removed)
        if !differing.isDisjoint(with: [.alloc, .threadLocal, .load]) {
            let prefersPrevious =
                !fromRemoved.isDisjoint(with: [.alloc, .threadLocal])
                || (previous.flags.contains(.load) && !next.flags.contains(.load))
            return prefersPrevious ? .previous : .next
        }
        if differing.contains(.readOnly) {
            return fromRemoved.contains(.readOnly) ? .previous : .next
        }
        if differing.contains(.code) {
            return fromRemoved.contains(.code) ? .previous : .next
        }
        return address < next.start ? .previous : .next
    }
}
