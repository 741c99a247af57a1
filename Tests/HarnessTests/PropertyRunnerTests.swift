import Compressor
import Generators
import Harness
import Randomness
import Synchronization
import Testing

/// The runner: budgets, per-case seeds, shrinking, laws versus expected failures.
@Suite struct PropertyRunnerTests {
    static func runner(seed: UInt64 = 0x5eed, cases: Int, timeBudget: Duration? = nil, shrinkSteps: Int = 3_000) -> PropertyRunner {
        // Shrinking is bounded by steps only: a wall-clock shrink budget would make the outcome
        // depend on the machine's load.
        PropertyRunner(
            RunnerConfiguration(
                seed: seed, cases: cases, timeBudget: timeBudget, shrinkSteps: shrinkSteps,
                shrinkTimeBudget: .seconds(3_600)))
    }

    @Test("the case count is honoured, and defaults to the property's own")
    func caseCountIsHonoured() {
        let report = Self.runner(cases: 7).run(TestProperties.alwaysPasses, era: .v6_1)
        #expect(report.casesRun == 7 && report.passed == 7 && report.failed == 0)
        #expect(report.stopReason == .caseCount)
        #expect(report.behavedAsExpected)
        let defaulted = PropertyRunner(RunnerConfiguration(seed: 1)).run(TestProperties.alwaysPasses, era: .v6_1)
        #expect(defaulted.casesRun == TestProperties.alwaysPasses.defaultCases)
    }

    @Test("the time budget is honoured: a spent budget checks no case, a short one stops early")
    func timeBudgetIsHonoured() {
        let none = Self.runner(cases: 100, timeBudget: .zero).run(TestProperties.alwaysPasses, era: .v7_0)
        #expect(none.casesRun == 0 && none.stopReason == .timeBudget)
        #expect(!none.behavedAsExpected, "a law that checked no case did not hold")
        // 100 000 cases take a minute or more: a runner that ignored the budget would stop by
        // its case count instead, and fail.
        let short = Self.runner(cases: 100_000, timeBudget: .milliseconds(50)).run(TestProperties.alwaysPasses, era: .v7_0)
        #expect(short.stopReason == .timeBudget)
        #expect(short.casesRun > 0 && short.casesRun < 100_000)
    }

    @Test("too many discards give up, and a run that checked nothing did not behave as expected")
    func discardsGiveUp() {
        let configuration = RunnerConfiguration(seed: 3, cases: 5, discardRatio: 4)
        let report = PropertyRunner(configuration).run(TestProperties.alwaysDiscards, era: .v5_10)
        #expect(report.discarded == 20 && report.casesRun == 0)
        #expect(report.stopReason == .discardLimit)
        #expect(!report.behavedAsExpected)
        #expect(report.verdict == "GAVE UP")
    }

    @Test("a law whose cases are almost all discarded gives up instead of holding")
    func mostlyDiscardedLawGivesUp() {
        // Passes its first 3 cases and discards every later one: the discard limit (10 per case
        // asked for) stops the run at 100 discards, 3 passes and no failure.
        let checks = CheckCounter()
        let rare = Property(name: "rarely-applies", summary: "applies to the first 3 cases only") { _ in
            checks.count.withLock { count in
                count += 1
                return count <= 3 ? .pass : .discard("does not apply")
            }
        }
        let report = Self.runner(cases: 10).run(rare, era: .v6_1)
        #expect(report.stopReason == .discardLimit && report.discarded == 100)
        #expect(report.passed == 3 && report.failed == 0)
        #expect(!report.behavedAsExpected, "a law cut short by the discard limit did not hold")
        #expect(report.verdict == "GAVE UP")

        // Discarding half the cases stays within the limit: the law holds after all 10.
        let half = Property(name: "half-applies", summary: "applies to one case in 2") { drawn in
            drawn.map.count % 2 == 0 ? .pass : .discard("does not apply")
        }
        let held = Self.runner(cases: 10).run(half, era: .v6_1)
        #expect(held.stopReason == .caseCount && held.passed == 10 && held.discarded > 0)
        #expect(held.behavedAsExpected && held.verdict == "held")
    }

    @Test("a law asked for no case does not hold")
    func zeroCasesDoNotHold() {
        let report = Self.runner(cases: 0).run(TestProperties.alwaysPasses, era: .v6_1)
        #expect(report.casesRun == 0 && report.stopReason == .caseCount)
        #expect(!report.behavedAsExpected)
        #expect(report.verdict == "NO CASE CHECKED")
    }

    @Test("case 0 is drawn from the run seed; case k from a seed derived from it")
    func caseSeeds() {
        #expect(PropertyRunner.caseSeed(run: 42, index: 0) == 42)
        #expect(PropertyRunner.caseSeed(run: 42, index: 3) == SeededRandom(seed: 42).derived(3).state)
        let seeds = Set((0..<1000).map { PropertyRunner.caseSeed(run: 42, index: $0) })
        #expect(seeds.count == 1000)
    }

    @Test("a case seed reproduces the case and its shrinking exactly, through --seed CASE_SEED --cases 1")
    func seedsReproduceCases() throws {
        let property = TestProperties.fewerThan(20)
        let report = Self.runner(seed: 0x2a, cases: 100).run(property, era: .v6_1)
        let found = try #require(report.counterexample)
        #expect(found.caseSeed == PropertyRunner.caseSeed(run: 0x2a, index: found.caseIndex))
        #expect(property.draw(era: .v6_1, seed: found.caseSeed) == found.original)
        #expect(
            report.replayCommand() == "kallsyms-lab check --property fewer-than-20-symbols --era v6.1 --seed "
                + RunnerConfiguration.format(seed: found.caseSeed) + " --cases 1")

        let replayed = Self.runner(seed: found.caseSeed, cases: 1).run(property, era: .v6_1)
        let again = try #require(replayed.counterexample)
        #expect(again.caseIndex == 0 && again.caseSeed == found.caseSeed)
        #expect(again.original == found.original)
        #expect(again.shrunk == found.shrunk)
        #expect(again.reason == found.reason)
    }

    @Test(
        "drawing is deterministic per seed, and different seeds draw different maps",
        arguments: PropertyCase.Shape.allCases, Era.allCases)
    func drawingIsDeterministic(shape: PropertyCase.Shape, era: Era) {
        var distinct = Set<[SymbolRecord]>()
        for index in 0..<12 {
            let seed = PropertyRunner.caseSeed(run: 7, index: index)
            let first = PropertyCase.draw(shape, era: era, seed: seed)
            #expect(PropertyCase.draw(shape, era: era, seed: seed) == first)
            distinct.insert(first.map)
        }
        #expect(distinct.count >= 10)
    }

    @Test("a law stops at its first failure and shrinks it to a minimal failing case")
    func lawStopsAtFirstFailure() throws {
        let report = Self.runner(cases: 200).run(TestProperties.fewerThan(20), era: .v3_3)
        let counterexample = try #require(report.counterexample)
        #expect(report.failed == 1 && report.stopReason == .counterexample)
        #expect(report.casesRun == report.passed + 1)
        #expect(!report.behavedAsExpected && report.verdict == "FAILED")
        #expect(counterexample.original.map.count >= 20)
        #expect(counterexample.shrunk.map.count == 20, "removing any one symbol of a 20-symbol map passes")
        #expect(counterexample.shrinkStopReason == .exhausted)
    }

    @Test("an expected failure checks every case, counts the failures and shrinks the smallest failing case")
    func expectedFailureShrinksTheSmallest() throws {
        let property = TestProperties.fewerThan(20, expectation: .fails)
        let report = Self.runner(seed: 11, cases: 60).run(property, era: .v6_19)
        let counterexample = try #require(report.counterexample)
        #expect(report.casesRun == 60 && report.discarded == 0 && report.stopReason == .caseCount)
        let drawn = (0..<60).map { property.draw(era: .v6_19, seed: PropertyRunner.caseSeed(run: 11, index: $0)) }
        let failing = drawn.filter { $0.map.count >= 20 }
        #expect(report.failed == failing.count)
        #expect(counterexample.original.map.count == failing.map(\.map.count).min())
        #expect(report.behavedAsExpected && report.verdict == "found (expected)")

        let clean = Self.runner(seed: 11, cases: 60).run(TestProperties.fewerThan(1_000, expectation: .fails), era: .v6_19)
        #expect(clean.counterexample == nil && !clean.behavedAsExpected && clean.verdict == "NOT FOUND")
    }

    @Test("the shrink step budget is honoured, and the case it stops at still fails")
    func shrinkBudgetIsHonoured() throws {
        let report = Self.runner(seed: 0x2a, cases: 100, shrinkSteps: 4).run(TestProperties.fewerThan(20), era: .v6_1)
        let counterexample = try #require(report.counterexample)
        #expect(counterexample.shrinkSteps <= 4)
        #expect(counterexample.shrinkStopReason == .stepBudget)
        #expect(counterexample.shrunk.map.count >= 20)
    }

    @Test("shrinking never returns a passing case", arguments: [TestProperties.fewerThan(5), TestProperties.noX, TestProperties.noTriple])
    func shrinkingNeverReturnsAPassingCase(property: Property) {
        var shrunk = 0
        for seed in UInt64(1)...8 {
            let report = Self.runner(seed: seed, cases: 50, shrinkSteps: 300).run(property, era: Era.allCases[Int(seed) % 5])
            guard let counterexample = report.counterexample else { continue }
            shrunk += 1
            #expect(property.check(counterexample.shrunk).isFailure, "seed \(seed)")
            #expect(counterexample.shrunk.map.count <= counterexample.original.map.count)
        }
        // The properties fail on most drawn maps: a run of seeds that shrank nothing checked nothing.
        #expect(shrunk >= 4, "only \(shrunk) of 8 seeds found a counterexample")
    }

    @Test("progress is reported after every case and every shrink step")
    func progressIsReported() throws {
        var updates: [PropertyRunner.Progress] = []
        let report = Self.runner(seed: 0x2a, cases: 100).run(TestProperties.fewerThan(20), era: .v6_1) { updates.append($0) }
        let caseUpdates = updates.filter { $0.shrinkSteps == nil }
        let shrinkUpdates = updates.compactMap(\.shrinkSteps)
        let counterexample = try #require(report.counterexample)
        #expect(caseUpdates.count == report.casesRun + report.discarded - 1, "one per case but the failing one")
        #expect(counterexample.shrinkSteps > 0)
        #expect(shrinkUpdates == Array(1...counterexample.shrinkSteps))
    }
}

/// How many times a property's check ran (the check must be `Sendable`).
final class CheckCounter: Sendable {
    let count = Mutex(0)
}
