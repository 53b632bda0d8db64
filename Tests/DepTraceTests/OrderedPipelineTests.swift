@testable import DepTrace
import Foundation
import Testing

@Suite struct OrderedPipelineTests {
    /// Results come back in submission order whatever the order they finish in,
    /// and no more than `maxInFlight` are ever computing or waiting for delivery.
    @Test(arguments: [1, 3, 8])
    func deliversInOrderWithBoundedLookahead(maxInFlight: Int) {
        let pipeline = OrderedPipeline<Int>(maxInFlight: maxInFlight)
        var delivered: [Int] = []
        for index in 0..<60 {
            if index % 10 == 5 {
                pipeline.submitReady(index)
                continue
            }
            pipeline.submit(delivering: { delivered.append($0) }) {
                // Some early items are slow, so later ones finish first.
                if index % 7 == 0 { usleep(3000) }
                return index
            }
            // Submitted, not yet delivered: at most maxInFlight (ready results included).
            #expect(index + 1 - delivered.count <= maxInFlight)
        }
        pipeline.drain { delivered.append($0) }
        #expect(delivered == Array(0..<60))
    }
}
