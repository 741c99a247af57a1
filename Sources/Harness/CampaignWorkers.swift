import Dispatch
import Foundation

/// Runs a body on `count` dedicated threads and waits for all of them.
///
/// Dedicated threads rather than `DispatchQueue.concurrentPerform`: a campaign's workers run
/// for minutes, and concurrentPerform would hold the global queue's threads for that long,
/// starving the signal sources, timers and delayed work that the caller schedules there
/// (a Ctrl-C would then wait for the campaign to end).
enum CampaignWorkers {
    static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for worker in 0..<max(1, count) {
            group.enter()
            let thread = Thread {
                body(worker)
                group.leave()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        group.wait()
    }
}
