package dev.tandem.hub.subscription;

import dev.tandem.hub.subscription.SubscriptionStore.StoredKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.security.KeyPair;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The subscription keys, generated on first use and kept in Postgres so they survive restarts
 * and are shared by every hub node: the first node to store a key wins, the others read it.
 */
final class PersistedKeys {

  static final String WEBHOOK_SIGNING = "webhook-ed25519";
  static final String TOKEN_HMAC = "callback-token-hmac";

  private PersistedKeys() {}

  static Future<WebhookSigner> signer(SqlClient db, SubscriptionStore store) {
    return getOrCreate(db, store, WEBHOOK_SIGNING, () -> {
      KeyPair pair = WebhookSigner.generate();
      return new StoredKey(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded());
    }).map(key -> WebhookSigner.fromEncoded(key.secret(), key.publicKey()));
  }

  static Future<CallbackTokens> tokens(SqlClient db, SubscriptionStore store, Clock clock) {
    return getOrCreate(db, store, TOKEN_HMAC, () -> new StoredKey(CallbackTokens.newSecret(), null))
        .map(key -> new CallbackTokens(key.secret(), clock));
  }

  private static Future<StoredKey> getOrCreate(SqlClient db, SubscriptionStore store, String name,
                                               Supplier<StoredKey> generate) {
    return store.findKey(db, name).compose(found -> {
      if (found != null) {
        return Future.succeededFuture(found);
      }
      StoredKey fresh = generate.get();
      return store.insertKey(db, name, fresh.secret(), fresh.publicKey())
          .compose(v -> store.findKey(db, name));
    });
  }
}
