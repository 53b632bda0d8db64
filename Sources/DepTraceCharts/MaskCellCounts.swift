/// One mask cell's (step, id) pairs, counted by what the step sees of the id
/// (as `Double`: exact below 2^53 pairs, and never overflowing).
/// The states of a pair partition the cell: created by the step; visible to
/// it (created earlier, in its visible set); hidden but still held (resident,
/// not visible); freed (created earlier, no longer resident); not yet created.
public struct MaskCellCounts: Sendable, Hashable {
    /// Pairs whose id is in the visible set before the step.
    public var attended = 0.0
    /// Pairs whose id the step itself creates.
    public var created = 0.0
    /// Pairs whose id is resident (held in memory) before the step.
    public var resident = 0.0
    /// Pairs whose id was created by an earlier step.
    public var existing = 0.0

    /// Counts of pairs, each state apart.
    public init(attended: Double = 0, created: Double = 0, resident: Double = 0, existing: Double = 0) {
        self.attended = attended
        self.created = created
        self.resident = resident
        self.existing = existing
    }

    /// Visible pairs (ids created earlier and visible).
    public var visible: Double { attended }
    /// Resident pairs that are not visible (clamped at 0: visible ids are resident).
    public var hidden: Double { Swift.max(0, resident - attended) }
    /// Earlier-created pairs that are no longer resident.
    public var freed: Double { Swift.max(0, existing - Swift.max(resident, attended)) }
}
