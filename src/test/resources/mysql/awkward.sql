SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION';
CREATE TABLE companies (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
CREATE TABLE invoices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id INT NOT NULL,
  number VARCHAR(40) NOT NULL,
  amount DECIMAL(14,4) NOT NULL,
  tax DECIMAL(14,4) AS (amount * 0.2) STORED,
  note TEXT,
  issued DATE,
  paid DATETIME(6) NULL,
  flags BIT(5),
  meta JSON,
  UNIQUE KEY uq_number (tenant_id, number),
  KEY idx_issued (issued),
  CONSTRAINT fk_inv_company FOREIGN KEY (tenant_id) REFERENCES companies (id)
) ENGINE=InnoDB;
CREATE TABLE invoice_items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  invoice_id BIGINT NOT NULL,
  line INT NOT NULL,
  description VARCHAR(200),
  qty DECIMAL(10,3),
  price DECIMAL(65,30),
  total DECIMAL(30,4) AS (qty * price) VIRTUAL,
  KEY idx_item_invoice (invoice_id, line),
  CONSTRAINT fk_item_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE SEQUENCE doc_refs START WITH 5000 INCREMENT BY 7 CACHE 20;
CREATE TABLE documents (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id INT NOT NULL,
  ref BIGINT NOT NULL DEFAULT NEXTVAL(doc_refs),
  name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  body LONGBLOB,
  small VARBINARY(16),
  zero_date DATE NOT NULL DEFAULT '0000-00-00',
  zero_dt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00',
  t TIME(3),
  y YEAR,
  f FLOAT,
  d DOUBLE,
  e ENUM('a','b','c'),
  s SET('x','y','z'),
  big BIGINT UNSIGNED,
  KEY idx_doc_tenant (tenant_id),
  FULLTEXT KEY ft_name (name)
) ENGINE=InnoDB;
CREATE TABLE audit_log (
  at DATETIME(6),
  msg VARCHAR(200)
) ENGINE=InnoDB;
CREATE TABLE `select` (
  `order` INT NOT NULL PRIMARY KEY,
  `Mixed Case` VARCHAR(10) CHARACTER SET latin1
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
CREATE VIEW invoice_totals AS SELECT i.tenant_id, COUNT(*) AS n, SUM(i.amount) AS total FROM invoices i GROUP BY i.tenant_id;
CREATE VIEW big_totals AS SELECT tenant_id, total FROM invoice_totals WHERE total > 100;
CREATE FUNCTION net(a DECIMAL(14,4)) RETURNS DECIMAL(14,4) DETERMINISTIC RETURN a * 0.8;
CREATE PROCEDURE count_invoices(IN t INT, OUT n INT) BEGIN SELECT COUNT(*) INTO n FROM invoices WHERE tenant_id = t; END;
CREATE TRIGGER inv_audit AFTER INSERT ON invoices FOR EACH ROW INSERT INTO audit_log VALUES (NOW(6), CONCAT('invoice ', NEW.id, ' 🧾'));
CREATE TRIGGER inv_audit_more AFTER INSERT ON invoices FOR EACH ROW FOLLOWS inv_audit INSERT INTO audit_log VALUES (NULL, 'second');
CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE DO DELETE FROM audit_log WHERE at < NOW() - INTERVAL 30 DAY;
