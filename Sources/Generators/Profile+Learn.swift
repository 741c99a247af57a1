import Compressor
import LinkModel

extension Profile {
    /// Learns a profile from the records of a real `nm -n` map (in any order; they are put in
    /// `nm -n` order first).
    ///
    /// Regions come from the boundary markers present (`MarkerRules.regionBoundaries`); markers
    /// are `MarkerRules.isMarker` symbols; an equal-address group of at least
    /// `MarkerRules.minimumAliasBlockSize` non-marker symbols, at least half of them weak, is an
    /// alias block; every other symbol is *ordinary* and feeds the region's letters, groups and
    /// gaps and the name model. Deterministic: the same records give an equal profile.
    /// - Complexity: O(n log n) for n records.
    public static func learn(from records: [SymbolRecord], limits: NameModel.LearningLimits = .init()) -> Profile {
        let map = MapOrder.sorted(records)
        let addressWidth = map.contains { $0.address > 0xFFFF_FFFF } ? 16 : 8
        let highest: UInt64 = addressWidth == 8 ? 0xFFFF_FFFF : .max
        let starts = regionStarts(map)

        // Classify: markers, alias-block members, ordinary symbols.
        let isMarker = map.map { MarkerRules.isMarker(name: $0.name, type: $0.type) }
        var blockOfRecord = [Int?](repeating: nil, count: map.count)
        var groupStart = 0
        while groupStart < map.count {
            var groupEnd = groupStart + 1
            while groupEnd < map.count && map[groupEnd].address == map[groupStart].address { groupEnd += 1 }
            let members = (groupStart..<groupEnd).filter { !isMarker[$0] }
            let weak = members.filter { MarkerRules.isWeak(map[$0].type) }.count
            if members.count >= MarkerRules.minimumAliasBlockSize && weak * 2 >= members.count {
                for member in members { blockOfRecord[member] = groupStart }
            }
            groupStart = groupEnd
        }

        var accumulators = starts.map { RegionAccumulator(name: $0.name, start: $0.address) }
        var region = 0
        var openBlock: Int?
        for (index, record) in map.enumerated() {
            while region + 1 < starts.count && record.address >= starts[region + 1].address { region += 1 }
            let symbol = ProfileSymbol(type: record.type, name: record.name)
            if isMarker[index] {
                accumulators[region].markers.append(
                    Marker(
                        symbol: symbol, ordinaryBefore: accumulators[region].ordinary,
                        sharesAddressWithPrevious: index > 0 && map[index - 1].address == record.address,
                        sharesAddressWithNext: index + 1 < map.count && map[index + 1].address == record.address))
            } else if let block = blockOfRecord[index] {
                if openBlock != block {
                    openBlock = block
                    accumulators[region].blocks.append(AliasBlock(ordinaryBefore: accumulators[region].ordinary, members: []))
                }
                accumulators[region].blocks[accumulators[region].blocks.count - 1].members.append(symbol)
            } else {
                accumulators[region].add(record)
            }
        }

        var regions: [RegionProfile] = []
        for (position, accumulator) in accumulators.enumerated() {
            let next = position + 1 < accumulators.count ? accumulators[position + 1].start : nil
            regions.append(accumulator.profile(room: next.map { $0 - accumulator.start } ?? highest - min(highest, accumulator.start)))
        }
        let ordinary = map.indices.lazy
            .filter { !isMarker[$0] && blockOfRecord[$0] == nil }
            .map { (type: map[$0].type, name: map[$0].name) }
        return Profile(
            symbolCount: map.count, addressWidth: addressWidth, regions: regions,
            names: NameModel.learn(from: ordinary, limits: limits))
    }

    /// The regions' names and start addresses, ascending (see `MarkerRules.regionBoundaries`).
    static func regionStarts(_ map: [SymbolRecord]) -> [(name: String, address: UInt64)] {
        var firstAddress: [[UInt8]: UInt64] = [:]
        for record in map where firstAddress[record.name] == nil { firstAddress[record.name] = record.address }
        var boundaries: [(name: String, address: UInt64)] = []
        for (region, openers) in MarkerRules.regionBoundaries {
            if let address = openers.lazy.compactMap({ firstAddress[Array($0.utf8)] }).first {
                boundaries.append((region, address))
            }
        }
        // Address order; of two regions opening at one address the earlier is empty: drop it.
        let sorted = boundaries.enumerated().sorted {
            $0.element.address != $1.element.address ? $0.element.address < $1.element.address : $0.offset < $1.offset
        }.map(\.element)
        var starts: [(name: String, address: UInt64)] = []
        for boundary in sorted {
            if let last = starts.last, last.address == boundary.address { starts.removeLast() }
            starts.append(boundary)
        }
        guard let first = map.first else { return [("all", 0)] }
        guard let opening = starts.first else { return [("all", first.address)] }
        if first.address < opening.address { starts.insert(("low", first.address), at: 0) }
        if let end = firstAddress[Array("_end".utf8)], let beyond = map.first(where: { $0.address > end }),
            beyond.address > starts[starts.count - 1].address
        {
            starts.append(("high", beyond.address))
        }
        return starts
    }
}

/// What learning collects for one region while walking the map.
private struct RegionAccumulator {
    var name: String
    var start: UInt64
    var ordinary = 0
    var letters: [String: Int] = [:]
    var groupSizes = Histogram()
    var gaps: [UInt64] = []
    var markers: [Marker] = []
    var blocks: [AliasBlock] = []
    private var lastAddress: UInt64?
    private var currentGroup = 0

    init(name: String, start: UInt64) {
        self.name = name
        self.start = start
    }

    mutating func add(_ record: SymbolRecord) {
        ordinary += 1
        letters[NameEscaping.escapeType(record.type), default: 0] += 1
        if let lastAddress, lastAddress == record.address {
            currentGroup += 1
        } else {
            if let lastAddress { gaps.append(record.address &- lastAddress) }
            if currentGroup > 0 { groupSizes.add(currentGroup) }
            currentGroup = 1
            lastAddress = record.address
        }
    }

    func profile(room: UInt64) -> RegionProfile {
        var groupSizes = self.groupSizes
        if currentGroup > 0 { groupSizes.add(currentGroup) }
        let alignment: UInt64 = start == 0 ? 1 << 22 : min(1 << 22, 1 << UInt64(start.trailingZeroBitCount))
        return RegionProfile(
            name: name, start: start, alignment: alignment, room: room, symbolCount: ordinary,
            typeLetters: letters, groupSizes: groupSizes, gaps: GapModel.learn(gaps),
            markers: markers, aliasBlocks: blocks)
    }
}
