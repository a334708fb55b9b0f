namespace Waybill.Core.Integrity;

/// <param name="Fast">Trust a file whose size and modification time match the record instead of reading it.</param>
/// <param name="Threads">Files hashed at once: two keep a disk busy without starving the machine.</param>
public sealed record VerifyOptions(bool Fast = false, int Threads = 2);
