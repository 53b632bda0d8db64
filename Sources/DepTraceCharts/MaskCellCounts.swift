/// One mask cell's (step, id) pairs, counted by what the step sees of the id.
/// The states of a pair partition the cell: created by the step; visible to
/// it (created earlier, in its visible set); hidden but still held (resident,
/// not visible); freed (created earlier, no longer resident); not yet created.
public struct MaskCellCounts: Sendable, Hashable {
    /// Pairs whose id is in the visible set before the step.
    public var attended = 0
    /// Pairs whose id the step itself creates.
    public var created = 0
    /// Pairs whose id is resident (held in memory) before the step.
    public var resident = 0
    /// Pairs whose id was created by an earlier step.
    public var existing = 0

    public init(attended: Int = 0, created: Int = 0, resident: Int = 0, existing: Int = 0) {
        self.attended = attended
        self.created = created
        self.resident = resident
        self.existing = existing
    }

    /// Visible pairs (ids created earlier and visible).
    public var visible: Int { attended }
    /// Resident pairs that are not visible (clamped at 0: visible ids are resident).
    public var hidden: Int { Swift.max(0, resident - attended) }
    /// Earlier-created pairs that are no longer resident.
    public var freed: Int { Swift.max(0, existing - Swift.max(resident, attended)) }
}
