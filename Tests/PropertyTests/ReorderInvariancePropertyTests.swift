import Compressor
import Harness
import Testing

/// `reorder-invariance`: pair counts do not depend on order, so permuting the symbols at one
/// address changes neither the size of `kallsyms_names` nor the token table. It holds, so it
/// must pass for many cases.
@Suite struct ReorderInvariancePropertyTests {
    @Test(
        "reordering symbols that share an address never changes kallsyms_names' size nor the token table",
        arguments: Era.allCases)
    func reorderingEqualAddressesNeverChangesNamesSize(era: Era) {
        PropertyTestRun.expectLawHolds(.reorderInvariance, era: era, cases: 150)
    }
}
