package dev.tandem.governance.access;

import java.util.Objects;
import java.util.Set;

/**
 * Actions allowed on a subtree of stream paths. {@code pathPrefix} {@code team-a} or
 * {@code team-a/} covers {@code team-a} and everything below it, never {@code team-ab};
 * the empty prefix and {@code *} cover every stream. {@link Action#ADMIN} implies the others.
 */
public record Scope(String pathPrefix, Set<Action> actions) {

  public Scope {
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    actions = Set.copyOf(actions);
  }
}
