import Compressor
import LinkModel

extension CaseReplay {
    /// How the reason a replay fails for compares with the case's saved `reason:` line.
    public enum ReasonCheck: Hashable, Sendable {
        /// The replay fails for exactly the saved reason.
        case same
        /// The replay gives another reason (or none): what it says now.
        case differs(observed: String)
        /// The saved reason is not in a form a replay gives: a hand-written build case (no
        /// `target:`), or a case expected to pass. Only the verdict is compared.
        case notCompared
    }

    /// Replays `file` and compares the reason it fails for with its `reason:` line, in the
    /// words the case's producer wrote it: a property case's failure reason (which symbol,
    /// which sizes), a campaign build case's target verdict (how many lines differ, how many
    /// passes, the object size of each pass, which letters changed).
    /// - Throws: what `replay(_:)` throws, for the same files.
    public static func checkReason(_ file: CaseFile) throws -> ReasonCheck {
        guard file.expectation == .fails else { return .notCompared }
        let observed: String
        switch file.kind {
        case .property:
            switch try replay(file).observation {
            case .fails(let reason): observed = reason
            case let other: return .differs(observed: other.description)
            }
        case .build:
            guard let name = file.target, let target = CampaignTarget(rawValue: name), target.isBuildTarget,
                let layout = file.layout
            else { return .notCompared }
            let mitigations = file.mitigations.compactMap(Mitigation.init(parsing:))
            guard mitigations.count == file.mitigations.count else {
                _ = try replay(file)
                return .notCompared
            }
            let result = Build(
                layout: layout,
                options: file.buildOptions(mitigations: mitigations)
            ).run()
            switch target.verdict(of: result) {
            case .fails(let reason): observed = reason
            case .holds: return .differs(observed: "\(target) holds")
            case .refused(let reason): return .differs(observed: reason)
            }
        }
        return observed == file.reason ? .same : .differs(observed: observed)
    }
}
