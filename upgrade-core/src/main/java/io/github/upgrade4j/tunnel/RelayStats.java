package io.github.upgrade4j.tunnel;

/**
 * A snapshot of a relay's load, from {@link TunnelRelay#stats()}. The figures are read one after the
 * other without a lock, so under traffic they may be a few microseconds apart. Immutable and thread-safe.
 *
 * @param activeTunnels tunnels opened and not yet ended
 * @param buffersBorrowed direct buffers holding bytes in flight right now (at most two per tunnel, and
 *     up to two more per TLS leg for its records)
 * @param pooledBytes direct memory made earlier and now idle in the pool, ready to be borrowed
 * @param budgetBytes {@link RelayOptions#bufferBudgetBytes()}: the cap on pooled plus borrowed bytes
 */
public record RelayStats(int activeTunnels, int buffersBorrowed, long pooledBytes, long budgetBytes) {}
