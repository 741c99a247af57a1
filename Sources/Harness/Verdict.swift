/// What checking one case of a property found.
public enum Verdict: Hashable, Sendable, CustomStringConvertible {
    /// The law held for this case.
    case pass
    /// The law was broken: why, in one line.
    case fail(String)
    /// The case is outside the law (the era refuses the input, a mutation no longer applies,
    /// the tables are outside what the kernel can decode, …): why, in one line. A discarded
    /// case counts neither as passed nor as failed, and never as "still failing" when shrinking.
    case discard(String)

    /// Whether this is `.fail`.
    public var isFailure: Bool {
        if case .fail = self { return true }
        return false
    }

    /// Whether this is `.discard`.
    public var isDiscard: Bool {
        if case .discard = self { return true }
        return false
    }

    /// `passed`, `failed: REASON` or `discarded: REASON`.
    public var description: String {
        switch self {
        case .pass: return "passed"
        case .fail(let reason): return "failed: \(reason)"
        case .discard(let reason): return "discarded: \(reason)"
        }
    }
}
