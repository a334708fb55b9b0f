using System.Net;
using System.Net.Sockets;

namespace Waybill.Tests.Support;

/// <summary>
/// A loopback port that refuses connections for as long as this lives, for tests of a server that is not there. A socket
/// is bound to it and never listens: a connection is refused, and no other test (in this process or in the two test
/// projects that run beside it) can start a server on the port meanwhile, as one could on a port merely free when probed.
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        // Without SO_REUSEADDR on this socket no other socket may bind the port, whatever options it sets.
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => _socket.Dispose();
}
