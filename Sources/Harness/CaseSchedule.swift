import Synchronization

/// Hands a campaign's case indices to its workers so that each works through whole batches of
/// cases that share a population (`CaseLayouts`): a worker takes the next case of its own
/// batch, then the next batch nobody has taken, and only when none is left the next case of
/// another worker's batch (so that the last cases are still shared out).
///
/// Before, workers took indices in turn from one counter, so both workers of a 2-core run were
/// always in the same batch: one waited while the other drew its population, and each
/// compressed the batch's strings again in its own cache. Every index below the limit is
/// handed out exactly once, whatever the order of the calls.
final class CaseSchedule: Sendable {
    /// Cases per batch (1: no batches, indices in turn).
    let batchSize: Int
    /// The number of cases (nil: no limit).
    let limit: Int?

    private struct OpenBatch {
        var next: Int
        var end: Int
    }
    private struct State {
        var nextBatch = 0
        /// Batches that still have cases to hand out, by number.
        var open: [Int: OpenBatch] = [:]
    }
    private let state = Mutex(State())

    init(batchSize: Int, limit: Int?) {
        precondition(batchSize > 0, "a batch holds at least one case")
        self.batchSize = batchSize
        self.limit = limit
    }

    /// The next case for a worker whose previous case was `previous` (nil for its first), or
    /// nil when every case has been handed out.
    func next(after previous: Int?) -> Int? {
        state.withLock { state in
            if let previous, let index = take(from: previous / batchSize, in: &state) { return index }
            let start = state.nextBatch * batchSize
            if limit.map({ start < $0 }) ?? true {
                let number = state.nextBatch
                state.nextBatch += 1
                let end = limit.map { min(start + batchSize, $0) } ?? start + batchSize
                state.open[number] = OpenBatch(next: start, end: end)
                return take(from: number, in: &state)
            }
            // Help with the batch that has the most cases left (ties: the lowest number).
            guard
                let (number, _) = state.open.max(by: { a, b in
                    let left = (a.value.end - a.value.next, -a.key), right = (b.value.end - b.value.next, -b.key)
                    return left < right
                })
            else { return nil }
            return take(from: number, in: &state)
        }
    }

    private func take(from number: Int, in state: inout State) -> Int? {
        guard var batch = state.open[number] else { return nil }
        let index = batch.next
        batch.next += 1
        state.open[number] = batch.next < batch.end ? batch : nil
        return index
    }
}
