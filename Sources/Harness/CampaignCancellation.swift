import Synchronization

/// A stop request shared between whoever stops a campaign (a signal handler's thread, a test)
/// and the campaign's workers. Cancelling is idempotent and never blocks.
public final class CampaignCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A request not yet made.
    public init() {}

    /// Asks the campaign to stop: no new case starts, a running shrink ends with the smallest
    /// failing layout it has.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
