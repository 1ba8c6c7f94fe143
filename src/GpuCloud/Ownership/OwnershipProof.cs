namespace GpuCloud;

/// <summary>How an instance is known to be this client's.</summary>
public enum OwnershipProof
{
    /// <summary>Matched by name and creation time alone (<see cref="OwnedReason.MayBeYours"/>): evidence, not proof.</summary>
    NameAndTime,

    /// <summary>The journal recorded its id as a create's result: proof.</summary>
    JournalId,

    /// <summary>It carries the mark of a create this journal recorded (its token): proof.</summary>
    CreateToken,

    /// <summary>It carries this owner's mark, with a token this journal does not hold: made through another journal.</summary>
    OwnerMark,
}
