package dev.tandem.hub.auth;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.ScopeMatcher;
import dev.tandem.hub.http.TandemError;
import java.util.Locale;

/** The authorisation check every route and frame calls before acting on a stream path. */
public final class Access {

  private Access() {}

  public static void require(Principal principal, Action action, String path) {
    if (!ScopeMatcher.allows(principal, action, path)) {
      throw TandemError.of(403, "forbidden", "'" + principal.subject() + "' may not "
          + action.name().toLowerCase(Locale.ROOT) + " '" + path + "'");
    }
  }
}
