import Synchronization

/// A small mutex for the few shared counters of the diagnostics (no Foundation needed).
final class Lock: Sendable {
    private let mutex = Mutex(())
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.withLock { _ in try body() }
    }
}
