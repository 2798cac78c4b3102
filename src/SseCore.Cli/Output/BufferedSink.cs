using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore.Cli.Output;

/// <summary>
/// The part every sink shares: a pending byte buffer, written to the output stream in one write
/// and flushed by <see cref="FlushAsync"/>. The event sinks (<see cref="IEventSink"/>) and the
/// message sinks (<see cref="IMessageSink"/>) render into it.
/// </summary>
internal abstract class BufferedSink : IDisposable
{
    // A buffer that grew past this for a huge event is dropped after the flush, not kept.
    private const int RetainedCapacity = 64 * 1024;

    private readonly Stream _output;
    private ArrayBufferWriter<byte> _pending = new(4096);

    /// <summary>Creates the sink.</summary>
    /// <param name="output">Where the rendered bytes go; not disposed by the sink.</param>
    protected BufferedSink(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>The pending bytes, not yet written to the output.</summary>
    protected ArrayBufferWriter<byte> Pending => _pending;

    /// <summary>Writes the pending buffer to the output and flushes the output.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the output has been flushed.</returns>
    /// <exception cref="CliOutputException">The output could not be written.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        try
        {
            await _output.WriteAsync(_pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CliOutputException(e);
        }
        catch (NotSupportedException e)
        {
            throw new CliOutputException(e);
        }
        catch (ObjectDisposedException e)
        {
            throw new CliOutputException(e);
        }

        if (_pending.Capacity > RetainedCapacity)
        {
            _pending = new ArrayBufferWriter<byte>(4096);
            OnPendingReplaced(_pending);
        }
        else
        {
            _pending.ResetWrittenCount();
        }
    }

    /// <summary>Called when <see cref="Pending"/> was replaced by a smaller buffer.</summary>
    /// <param name="pending">The new buffer.</param>
    protected virtual void OnPendingReplaced(ArrayBufferWriter<byte> pending)
    {
    }

    /// <summary>Releases what the sink holds (not the output stream).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the sink holds.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
