import Dispatch
import Synchronization
import Testing

@testable import Harness

/// `CaseSchedule` gives each worker whole batches and every case exactly once.
@Suite struct CaseScheduleTests {
    /// Every index a worker gets, in order, when `workers` workers take turns (worker k asks
    /// when `turns` says so).
    private func handOut(_ schedule: CaseSchedule, workers: Int, turns: [Int]) -> [[Int]] {
        var previous = [Int?](repeating: nil, count: workers)
        var taken = [[Int]](repeating: [], count: workers)
        var finished = Set<Int>()
        var turn = 0
        while finished.count < workers {
            let worker = turns[turn % turns.count] % workers
            turn += 1
            if finished.contains(worker) { continue }
            guard let index = schedule.next(after: previous[worker]) else {
                finished.insert(worker)
                continue
            }
            previous[worker] = index
            taken[worker].append(index)
        }
        return taken
    }

    @Test("two workers in turn: each works through its own batches, then helps with the other's last cases")
    func twoWorkers() {
        let taken = handOut(CaseSchedule(batchSize: 4, limit: 10), workers: 2, turns: [0, 1])
        // Worker 0 takes batch 0 (0–3), worker 1 batch 1 (4–7); worker 0 then takes batch 2
        // (8, 9: cut by the limit), and worker 1, with no batch left to take, helps with it.
        #expect(taken[0] == [0, 1, 2, 3, 8])
        #expect(taken[1] == [4, 5, 6, 7, 9])
    }

    @Test("a worker with nothing of its own left helps with the batch that has the most cases left")
    func helping() {
        // Worker 0 asks three times as often as worker 1.
        let taken = handOut(CaseSchedule(batchSize: 8, limit: 16), workers: 2, turns: [0, 0, 0, 1])
        #expect(taken[0].prefix(8) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(taken[1].first == 8)
        // Once batch 0 is done, worker 0 helps with batch 1 in order.
        #expect(Set(taken[0].dropFirst(8)).isDisjoint(with: taken[1]))
        #expect((taken[0] + taken[1]).sorted() == Array(0..<16))
        #expect(taken[0].count > 8)
    }

    @Test("batches of one case are the indices in turn")
    func batchesOfOne() {
        let taken = handOut(CaseSchedule(batchSize: 1, limit: 5), workers: 2, turns: [0, 1])
        #expect(taken[0] == [0, 2, 4] && taken[1] == [1, 3])
    }

    @Test("without a limit the schedule goes on; with limit 0 it hands out nothing")
    func limits() {
        let open = CaseSchedule(batchSize: 16, limit: nil)
        var previous: Int?
        for expected in 0..<100 {
            let index = open.next(after: previous)
            #expect(index == expected)
            previous = index
        }
        #expect(CaseSchedule(batchSize: 16, limit: 0).next(after: nil) == nil)
    }

    @Test("every index below the limit is handed out exactly once to workers on threads", arguments: [1, 3, 16])
    func concurrent(batchSize: Int) {
        let schedule = CaseSchedule(batchSize: batchSize, limit: 1_000)
        let taken = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var previous: Int?
            var mine: [Int] = []
            while let index = schedule.next(after: previous) {
                mine.append(index)
                previous = index
            }
            taken.withLock { $0 += mine }
        }
        #expect(taken.withLock { $0.sorted() } == Array(0..<1_000))
    }
}
