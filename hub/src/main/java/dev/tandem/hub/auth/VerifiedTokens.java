package dev.tandem.hub.auth;

import dev.tandem.governance.access.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens already verified, so a client that sends the same token with every request (HTTP
 * appends, long-polls) pays for the signature check and claim parsing once. An entry is
 * used only until the token's own {@code exp} and at most {@code maxAgeMillis} after it was
 * verified; the least recently used entries go first beyond {@code capacity}.
 */
final class VerifiedTokens {

  private record Entry(Principal principal, long validUntil) {}

  private final long maxAgeMillis;
  private final Map<String, Entry> entries;

  VerifiedTokens(int capacity, long maxAgeMillis) {
    this.maxAgeMillis = maxAgeMillis;
    this.entries = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The principal of {@code token} if it was verified and is still valid at {@code now}. */
  synchronized Principal get(String token, long now) {
    Entry entry = entries.get(token);
    if (entry == null) {
      return null;
    }
    if (now >= entry.validUntil()) {
      entries.remove(token);
      return null;
    }
    return entry.principal();
  }

  /** Remembers a verified token; {@code expSeconds} is its {@code exp} claim, or null. */
  synchronized void put(String token, Principal principal, Long expSeconds, long now) {
    long validUntil = now + maxAgeMillis;
    if (expSeconds != null) {
      validUntil = Math.min(validUntil, expSeconds * 1000);
    }
    if (validUntil > now) {
      entries.put(token, new Entry(principal, validUntil));
    }
  }
}
