public import Foundation

/// When each service is probed next: on a fixed grid per service, so the schedule never drifts
/// (a late or slow probe does not push the next one later), with each service's grid shifted by
/// an offset taken from its name, so that a thousand services with the same interval are spread
/// over that interval instead of all firing at its start.
///
/// Pure: times come in as arguments. The monitor asks ``due(at:)`` what to start and
/// ``nextDue`` how long it may sleep.
public struct ProbeSchedule: Sendable {
    /// One planned probe.
    public struct Slot: Sendable, Equatable {
        /// The service's position in the list given to ``init(services:start:)``.
        public var index: Int
        /// When it is due (seconds since 1970).
        public var due: Double
    }

    private var heap: [Slot] = []
    private let intervals: [Double]
    private let offsets: [Double]

    /// A schedule for `services` (name and interval in seconds), whose first probes fall within one
    /// interval after `start`.
    public init(services: [(name: String, interval: Double)], start: Date) {
        intervals = services.map { max($0.interval, 0.001) }
        offsets = services.map { Self.offset(of: $0.name, interval: max($0.interval, 0.001)) }
        let now = start.timeIntervalSince1970
        heap.reserveCapacity(services.count)
        for index in services.indices {
            push(Slot(index: index, due: Self.nextGridPoint(after: now, interval: intervals[index], offset: offsets[index], inclusive: true)))
        }
    }

    /// The services' place in their interval: a stable hash of the name (FNV-1a; Swift's own
    /// `hashValue` changes from run to run), so a restart keeps each service's rhythm.
    public static func offset(of name: String, interval: Double) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let fraction = Double(hash % 1_000_000) / 1_000_000
        return fraction * interval
    }

    /// The first point of the grid `offset + k × interval` after `time` (at or after, when `inclusive`).
    static func nextGridPoint(after time: Double, interval: Double, offset: Double, inclusive: Bool) -> Double {
        let steps = ((time - offset) / interval).rounded(.up)
        var point = offset + steps * interval
        if !inclusive && point <= time { point += interval }
        return point
    }

    /// When the earliest slot is due (nil: nothing scheduled).
    public var nextDue: Double? { heap.first?.due }

    /// Removes and returns every slot due at or before `now`, earliest first, and plans each
    /// one's next grid point after `now` (a probe missed while the monitor was stalled is skipped,
    /// never run twice in a burst).
    public mutating func due(at now: Date) -> [Slot] {
        let time = now.timeIntervalSince1970
        var slots: [Slot] = []
        while let first = heap.first, first.due <= time {
            let slot = popFirst()
            slots.append(slot)
            let next = Self.nextGridPoint(after: time, interval: intervals[slot.index], offset: offsets[slot.index], inclusive: false)
            push(Slot(index: slot.index, due: next))
        }
        return slots
    }

    private mutating func push(_ slot: Slot) {
        heap.append(slot)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popFirst() -> Slot {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
                if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
