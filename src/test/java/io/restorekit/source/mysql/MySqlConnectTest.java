package io.restorekit.source.mysql;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Driver errors turned into operator messages, for failures the embedded MariaDB cannot produce. */
class MySqlConnectTest {
    private final MySqlConnect connect = new MySqlConnect("jdbc:mysql://db.internal:3306/clinic?password=secret",
            "rk", null, "CLINIC_PW");

    @Test
    @DisplayName("MySQL 8's caching_sha2_password without TLS or the server's key says which URL option to add, not that the server is unreachable")
    void rsaPublicKey() {
        // Connector/J's own text, as its caching_sha2_password plugin throws it and as its
        // connection factory wraps it (SQL state 08000).
        SQLException plugin = new SQLException(
                "RSA public key is not available client side (option serverRsaPublicKeyFile not set)", "S1009");
        SQLException wrapped = new SQLNonTransientConnectionException(
                "(conn=12) Could not connect to db.internal:3306 : " + plugin.getMessage(), "08000", plugin);
        for (SQLException e : new SQLException[] {plugin, wrapped}) {
            RkException r = connect.failure("connect to", e);
            assertThat(r.code()).as(e.getMessage()).isEqualTo(ErrorCode.FAILED);
            assertThat(r.getMessage()).contains("user 'rk'").contains("caching_sha2_password")
                    .contains("allowPublicKeyRetrieval=true").contains("serverRsaPublicKeyFile=")
                    .contains("sslMode=verify-full").contains("jdbc:mysql://db.internal:3306/clinic?password=***")
                    .doesNotContain("secret");
        }
    }

    @Test
    @DisplayName("a connection refused is still the unreachable server, exit 6")
    void refused() {
        SQLException e = new SQLNonTransientConnectionException("Socket fail to connect to host:db.internal, port:3306."
                + " Connection refused", "08000", new java.net.ConnectException("Connection refused"));
        RkException r = connect.failure("connect to", e);
        assertThat(r.code()).isEqualTo(ErrorCode.UNREACHABLE);
        assertThat(r.getMessage()).contains("reachable").doesNotContain("allowPublicKeyRetrieval");
    }
}
