namespace MixFlow.Distributed;

/// <summary>An MPI call failed, or the MPI library cannot be used; the message names the call and the MPI error text.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="errorCode">The MPI error code (0 when the failure is not an MPI return code).</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public MpiException(string message, int errorCode = 0, Exception? inner = null) : base(message, inner) => ErrorCode = errorCode;

    /// <summary>The MPI error code returned by the call (0 when not applicable).</summary>
    public int ErrorCode { get; }
}
