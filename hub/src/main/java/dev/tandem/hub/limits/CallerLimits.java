package dev.tandem.hub.limits;

import dev.tandem.governance.access.Principal;
import dev.tandem.hub.config.HubConfig;
import io.vertx.core.net.SocketAddress;

/**
 * What one caller may hold and do on this node: open long-lived connections and HTTP requests
 * per second. A caller is the token's subject; with authentication off (where everyone is the
 * same anonymous principal), and for a WebSocket upgrade that shows its token only in
 * {@code hello}, it is the remote address. Counts are per node: behind a load balancer a caller
 * may reach the limits once on every node.
 */
public final class CallerLimits {

  private final boolean byPrincipal;
  private final OpenConnections connections;
  private final RequestRates rates;

  public CallerLimits(HubConfig.LimitSettings limits, boolean authEnabled) {
    this.byPrincipal = authEnabled;
    this.connections = new OpenConnections(limits.maxConnectionsPerPrincipal());
    this.rates = new RequestRates(limits.maxRequestsPerSecondPerPrincipal());
  }

  /** The key {@code principal} (null: not known yet) calling from {@code remote} is counted under. */
  public String caller(Principal principal, SocketAddress remote) {
    if (byPrincipal && principal != null) {
      return "subject:" + principal.subject();
    }
    return "address:" + (remote == null ? "unknown" : remote.hostAddress());
  }

  /** Counts one HTTP request; {@code 429 rate_limited} with {@code Retry-After} above the rate. */
  public void checkRate(String caller) {
    rates.check(caller);
  }

  /** One more long-lived connection; {@code 429 too_many_connections} above the limit. */
  public OpenConnections.Permit openConnection(String caller) {
    return connections.acquire(caller);
  }

  public int openConnections(String caller) {
    return connections.count(caller);
  }

  /** Drops the rate buckets of callers that have been quiet long enough to be full again. */
  public void forgetIdle() {
    rates.forgetIdle();
  }
}
