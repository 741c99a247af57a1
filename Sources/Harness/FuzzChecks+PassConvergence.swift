import Compressor
import FuzzLaws
import Generators
import LinkModel

extension FuzzChecks {
    /// What one `FuzzPassConvergence` input showed.
    public enum PassConvergenceOutcome: Hashable, Sendable {
        /// The era's build ended consistent.
        case converges
        /// The era's generator refused a pass's input: no verdict.
        case refused(String)
        /// The build ended in "Inconsistent kallsyms data" (in v5.10 and later, after the third
        /// pass that follows a size change: the size never settled): the case to save, in the
        /// format `kallsyms-lab replay` reads.
        case finding(CaseFile)
    }

    /// Compiled once per process: a fuzzer calls `passConvergence` millions of times.
    static let passConvergenceLayouts = LayoutGenerator(profile: .arm)

    /// Arbitrary bytes as the layout decisions of `PassConvergenceInput`: generate the layout,
    /// run the era's multi-pass build, and judge it by `CampaignTarget.passConvergence`.
    public static func passConvergence(_ bytes: [UInt8]) -> PassConvergenceOutcome {
        let input = PassConvergenceInput(bytes)
        let layout = input.layout(generator: passConvergenceLayouts)
        let options = input.buildOptions
        let result = Build(layout: layout, options: options).run()
        switch CampaignTarget.passConvergence.verdict(of: result) {
        case .holds:
            return .converges
        case .refused(let reason):
            return .refused(reason)
        case .fails(let reason):
            var file = CaseFile(
                kind: .build, target: CampaignTarget.passConvergence.rawValue, era: input.era,
                options: options.kallsyms, seed: input.seed, expectation: .fails, reason: reason,
                layout: layout)
            file.letters = input.letters
            return .finding(file)
        }
    }

    /// A file name for a finding of `FuzzPassConvergence`: `pass-convergence-ERA-fuzz-HASH.case`,
    /// HASH the FNV-1a hash of the input bytes (the same input, the same name).
    public static func passConvergenceFileName(_ file: CaseFile, input bytes: [UInt8]) -> String {
        let hash = bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return "pass-convergence-\(file.era)-fuzz-\(String(hash, radix: 16)).case"
    }
}
