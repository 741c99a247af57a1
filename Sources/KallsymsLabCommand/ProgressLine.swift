import Foundation
import Synchronization

/// Progress of a long run on stderr: one line rewritten in place on a terminal; otherwise (a
/// CI log, a file) a new line at every tenth of the run, once the run has taken five seconds
/// (short runs stay quiet).
final class ProgressLine: Sendable {
    private let io: CommandIO
    private let lastStep = Mutex(-1)
    private let unit: String
    private let live: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(io: CommandIO, unit: String = "mutations") {
        self.io = io
        self.unit = unit
        live = io.standardErrorIsTerminal
        start = clock.now
    }

    func update(_ done: Int, _ total: Int) {
        let percent = total == 0 ? 100 : done * 100 / total
        let step = live ? percent : percent / 10
        lastStep.withLock { lastStep in
            guard step != lastStep, live || clock.now - start >= .seconds(5) else { return }
            lastStep = step
            io.err(live ? "\r  \(done)/\(total) \(unit) (\(percent) %)" : "  \(done)/\(total) \(unit) (\(percent) %)\n")
        }
    }

    func finish() { if live { io.err("\r\u{1B}[K") } }
}
