package io.restorekit.archive;

import io.restorekit.source.postgres.DatabaseManifest;

import java.util.List;

/** The RESTORE_INSTRUCTIONS.md of an export: how to get the data back with standard tools only. */
final class RestoreInstructions {
    private RestoreInstructions() {
    }

    static String render(String folder, List<ExportResult.ExportedFile> files) {
        StringBuilder md = new StringBuilder();
        md.append("# Restoring this export without restorekit\n\n")
          .append("This folder (`").append(folder).append("`) holds an offline copy of backups made by restorekit.\n")
          .append("Everything here is in standard formats: each `.enc` file is an OpenPGP message (encrypted with a\n")
          .append("passphrase, AES-256) around a zstd-compressed tar archive (files) or a plain SQL script\n")
          .append("(databases). You need: `sha256sum`, `gpg` (GnuPG 2), `zstd`, `tar`, and for databases `psql`\n")
          .append("with a PostgreSQL server of the same or a newer major version, or the `mariadb` (or `mysql`)\n")
          .append("client with a MariaDB or MySQL server, as the file's kind in `manifest.json` says.\n\n")
          .append("The passphrase is the one given to `rk export` when this export was made (by default the\n")
          .append("repository password). Keep it somewhere other than this drive.\n\n")
          .append("## 1. Check that nothing is damaged\n\n")
          .append("```sh\ncd ").append(folder).append("\nsha256sum -c checksum.sha256\n```\n\n")
          .append("Every line must say `OK`. A file that fails is damaged: use another export or the repository.\n\n")
          .append("## 2. What is inside\n\n")
          .append("| file | source | snapshot | taken | content |\n|---|---|---|---|---|\n");
        for (ExportResult.ExportedFile f : files) {
            md.append("| `").append(f.name()).append("` | ").append(f.source()).append(" | `")
              .append(f.snapshot(), 0, 12).append("` | ").append(f.snapshotTime()).append(" | ")
              .append(f.kind().equals(ExportService.FILES_KIND) ? f.items() + " files" : f.items() + " rows")
              .append(" |\n");
        }
        md.append("\n`manifest.json` lists the same with sizes and checksums.\n\n");
        md.append("## 3. Files (`*.tar.zst.enc`)\n\n")
          .append("```sh\nmkdir restored\n")
          .append("gpg --decrypt SOURCE-SNAPSHOT.tar.zst.enc | zstd -d | tar -x -p -C restored -f -\n```\n\n")
          .append("`gpg` asks for the passphrase (or add `--batch --passphrase-file FILE`). Paths inside the tar are\n")
          .append("relative to the source's folder. To take out one file only, name it after `-f -`\n")
          .append("(list the contents first with `tar -t`). `gpg` reports `WARNING: message was not integrity\n")
          .append("protected` or a bad MDC if the file was altered: then do not trust it.\n\n");
        md.append("## 4. PostgreSQL databases (`*.sql.zst.enc` of kind `postgres`)\n\n")
          .append("```sh\ncreatedb -T template0 -E UTF8 restored_db\n")
          .append("gpg --decrypt SOURCE-SNAPSHOT.sql.zst.enc | zstd -d \\\n")
          .append("  | psql -v ON_ERROR_STOP=1 --single-transaction -d restored_db -f -\n```\n\n")
          .append("The script creates the schemas, tables and types, loads every table with `COPY`, then builds\n")
          .append("constraints, indexes, foreign keys, sequence values, views, triggers and comments. Roles that\n")
          .append("own objects are not created: create them first if the script stops on a missing role, or run\n")
          .append("it as the owner you want. Compare row counts with `manifest.json`-listed totals if in doubt.\n\n");
        if (files.stream().anyMatch(f -> f.kind().equals(DatabaseManifest.MYSQL_KIND))) {
            md.append("## 4b. MySQL and MariaDB databases (`*.sql.zst.enc` of kind `mysql`)\n\n")
              .append("The first lines of the script name the database's character set; create an empty database\n")
              .append("with it, then load the script with the `mariadb` client (`mysql` on MySQL):\n\n")
              .append("```sh\ngpg --decrypt SOURCE-SNAPSHOT.sql.zst.enc | zstd -d | head -n 4\n")
              .append("mariadb -e 'CREATE DATABASE restored_db DEFAULT CHARACTER SET utf8mb4'\n")
              .append("gpg --decrypt SOURCE-SNAPSHOT.sql.zst.enc | zstd -d \\\n")
              .append("  | mariadb --default-character-set=utf8mb4 --max-allowed-packet=1G --comments restored_db\n```\n\n")
              .append("The script creates the tables as the server printed them, loads each table's rows with\n")
              .append("`INSERT` in one transaction, then creates routines, views, triggers and events, each under\n")
              .append("the `sql_mode` and character set it was made with (`--comments` keeps comments inside\n")
              .append("routine bodies). The server's `max_allowed_packet` must hold the largest row (a statement\n")
              .append("holds about 1 MiB of rows). Objects keep their `DEFINER`: load as a user allowed to set it\n")
              .append("(root), or create those users first.\n\n");
        }
        md.append("## 5. With restorekit\n\n")
          .append("restorekit itself can restore these snapshots from its repository: `rk restore --source SOURCE\n")
          .append("--snapshot ID ...`. This export is for when the repository or restorekit is not available.\n");
        return md.toString();
    }
}
