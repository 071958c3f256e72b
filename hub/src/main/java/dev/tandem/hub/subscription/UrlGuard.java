package dev.tandem.hub.subscription;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SSRF rules for webhook URLs (PROTOCOL 6.2 and 12.8). A webhook must use https and every
 * address its host resolves to must be public: loopback, RFC 1918, link-local (which holds the
 * cloud metadata endpoint 169.254.169.254), carrier-grade NAT, unique-local, multicast and
 * other special-purpose ranges are refused.
 *
 * <p>The one exception, for development: {@code localhost} and {@code 127.0.0.x}, over http
 * or https, when {@code webhook-allow-localhost} is on. The hub checks at subscription time
 * and again before every delivery, and connects to the address it checked, so a DNS answer
 * that changes in between cannot redirect a webhook inside the network.
 */
public final class UrlGuard {

  /** A checked webhook URL and the address the hub may connect to for it. */
  public record Target(URI uri, boolean ssl, String host, int port, InetAddress address) {}

  private static final Pattern DEV_IPV4 = Pattern.compile("127\\.0\\.0\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final int MAX_URL_LENGTH = 2048;

  private final Vertx vertx;
  private final boolean allowLocalhost;

  public UrlGuard(Vertx vertx, boolean allowLocalhost) {
    this.vertx = vertx;
    this.allowLocalhost = allowLocalhost;
  }

  /** Checks a URL and resolves its host (off the event loop); refusals are WEBHOOK_URL_REJECTED. */
  public Future<Target> check(String url) {
    URI uri;
    try {
      uri = parse(url, allowLocalhost);
    } catch (ControlError e) {
      return Future.failedFuture(e);
    }
    String host = bareHost(uri);
    boolean dev = isDevHost(host);
    return vertx.<List<InetAddress>>executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false)
        .recover(failure -> Future.failedFuture(failure instanceof UnknownHostException
            ? ControlError.webhookUrlRejected("webhook host '" + host + "' does not resolve")
            : failure))
        .map(addresses -> {
          for (InetAddress address : addresses) {
            if (dev ? !address.isLoopbackAddress() : isLocal(address)) {
              throw ControlError.webhookUrlRejected("webhook host '" + host + "' resolves to "
                  + address.getHostAddress() + ", a local or private network address");
            }
          }
          boolean ssl = uri.getScheme().equalsIgnoreCase("https");
          int port = uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80;
          return new Target(uri, ssl, host, port, addresses.get(0));
        });
  }

  /** The checks that need no name resolution: syntax, scheme, and the development exception. */
  static URI parse(String url, boolean allowLocalhost) {
    if (url == null || url.isEmpty() || url.length() > MAX_URL_LENGTH) {
      throw ControlError.webhookUrlRejected("webhook.url must be an absolute URL of at most " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ControlError.webhookUrlRejected("webhook.url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.isOpaque()) {
      throw ControlError.webhookUrlRejected("webhook.url must be an http(s) URL with a host");
    }
    String host = bareHost(uri);
    if (isDevHost(host)) {
      if (!allowLocalhost) {
        throw ControlError.webhookUrlRejected("localhost webhooks are a development exception, off on this hub (webhook-allow-localhost)");
      }
      return uri;
    }
    if (!scheme.equals("https")) {
      throw ControlError.webhookUrlRejected("webhook URLs must use https (http is only allowed for localhost and 127.0.0.x in development)");
    }
    return uri;
  }

  static String bareHost(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  static boolean isDevHost(String host) {
    return host.equals("localhost") || DEV_IPV4.matcher(host).matches();
  }

  /** Whether an address is anything but a public unicast address. */
  static boolean isLocal(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return isLocalIpv4(b, 0);
    }
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {
        return true; // fc00::/7 unique local
      }
      if (first == 0x20 && (b[1] & 0xff) == 0x02) {
        return isLocalIpv4(b, 2); // 2002::/16 6to4 embeds an IPv4 address
      }
      if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
          || allZero(b, 0, 12)) {
        return isLocalIpv4(b, 12); // 64:ff9b::/96 NAT64, ::a.b.c.d IPv4-compatible
      }
      if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return isLocalIpv4(b, 12); // ::ffff:a.b.c.d IPv4-mapped
      }
    }
    return false;
  }

  private static boolean isLocalIpv4(byte[] bytes, int at) {
    int a = bytes[at] & 0xff;
    int b = bytes[at + 1] & 0xff;
    int c = bytes[at + 2] & 0xff;
    return a == 0                                  // 0.0.0.0/8 "this network"
        || a == 10                                 // RFC 1918
        || a == 127                                // loopback
        || a == 100 && b >= 64 && b <= 127         // 100.64.0.0/10 carrier-grade NAT
        || a == 169 && b == 254                    // link-local, cloud metadata
        || a == 172 && b >= 16 && b <= 31          // RFC 1918
        || a == 192 && b == 0 && c == 0            // 192.0.0.0/24 IETF protocol assignments
        || a == 192 && b == 168                    // RFC 1918
        || a == 198 && (b == 18 || b == 19)        // 198.18.0.0/15 benchmarking
        || a >= 224;                               // multicast, reserved, broadcast
  }

  private static boolean allZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
