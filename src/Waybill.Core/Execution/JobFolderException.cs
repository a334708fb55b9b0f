namespace Waybill.Core.Execution;

/// <summary>The job folder cannot be created or written: nothing ran.</summary>
public sealed class JobFolderException(string message, Exception? inner = null) : Exception(message, inner);
