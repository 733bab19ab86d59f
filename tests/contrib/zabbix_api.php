<?php
// Zabbix 6.0 API calls for tests/contrib/zabbix.sh (php-cli comes with the
// frontend's packages; no other JSON tool is assumed).
//
//   php zabbix_api.php URL import FILE
//   php zabbix_api.php URL host-create HOSTNAME SNMP-PORT MACRO=VALUE...
//   php zabbix_api.php URL rules HOSTNAME      "name<TAB>state<TAB>error" per LLD rule
//   php zabbix_api.php URL items HOSTNAME      "key<TAB>lastvalue<TAB>state<TAB>error<TAB>name"
//   php zabbix_api.php URL triggers HOSTNAME   "value<TAB>state<TAB>description<TAB>error"
//   php zabbix_api.php URL problems HOSTNAME   "name" of each open problem
//   php zabbix_api.php URL version
// Exits 1 with the API's error on stderr.

function api($url, $method, $params, $auth = null) {
	$req = ['jsonrpc' => '2.0', 'method' => $method, 'params' => $params, 'id' => 1];
	if ($auth !== null)
		$req['auth'] = $auth;
	$ctx = stream_context_create(['http' => ['method' => 'POST', 'timeout' => 30,
		'header' => "Content-Type: application/json-rpc\r\n", 'content' => json_encode($req)]]);
	$body = @file_get_contents($url, false, $ctx);
	if ($body === false) {
		fwrite(STDERR, "$method: no answer from $url\n");
		exit(1);
	}
	$r = json_decode($body, true);
	if (!is_array($r) || isset($r['error']) || !array_key_exists('result', $r)) {
		fwrite(STDERR, "$method: " . (isset($r['error']) ? json_encode($r['error']) : $body) . "\n");
		exit(1);
	}
	return $r['result'];
}

$url = $argv[1] . '/api_jsonrpc.php';
$cmd = $argv[2];
if ($cmd === 'version') {
	echo api($url, 'apiinfo.version', []), "\n";
	exit(0);
}
$auth = api($url, 'user.login', ['username' => 'Admin', 'password' => 'zabbix']);

function hostid($url, $auth, $name) {
	$h = api($url, 'host.get', ['filter' => ['host' => $name], 'output' => ['hostid']], $auth);
	if (!$h) {
		fwrite(STDERR, "no host $name\n");
		exit(1);
	}
	return $h[0]['hostid'];
}
function clean($s) { return str_replace(["\t", "\n"], ' ', $s); }

switch ($cmd) {
case 'import':
	$all = ['createMissing' => true, 'updateExisting' => true];
	$rules = ['templates' => $all, 'items' => $all, 'discoveryRules' => $all,
		'triggers' => $all, 'graphs' => $all, 'valueMaps' => $all,
		'templateLinkage' => ['createMissing' => true],
		'groups' => ['createMissing' => true]];
	$ok = api($url, 'configuration.import', ['format' => 'yaml',
		'source' => file_get_contents($argv[3]), 'rules' => $rules], $auth);
	echo $ok ? "imported\n" : "not imported\n";
	exit($ok ? 0 : 1);
case 'host-create':
	$t = api($url, 'template.get', ['filter' => ['host' => 'COREMON by SNMP'],
		'output' => ['templateid']], $auth);
	$g = api($url, 'hostgroup.get', ['filter' => ['name' => 'Linux servers'],
		'output' => ['groupid']], $auth);
	$macros = [];
	foreach (array_slice($argv, 5) as $m) {
		$eq = strpos($m, '=');
		$macros[] = ['macro' => substr($m, 0, $eq), 'value' => substr($m, $eq + 1)];
	}
	$r = api($url, 'host.create', ['host' => $argv[3],
		'groups' => [['groupid' => $g[0]['groupid']]],
		'templates' => [['templateid' => $t[0]['templateid']]],
		'interfaces' => [['type' => 2, 'main' => 1, 'useip' => 1, 'ip' => '127.0.0.1',
			'dns' => '', 'port' => $argv[4],
			'details' => ['version' => 2, 'bulk' => 1, 'community' => '{$SNMP_COMMUNITY}']]],
		'macros' => $macros], $auth);
	echo $r['hostids'][0], "\n";
	break;
case 'rules':
	foreach (api($url, 'discoveryrule.get', ['hostids' => hostid($url, $auth, $argv[3]),
		'output' => ['key_', 'state', 'error']], $auth) as $d)
		echo $d['key_'], "\t", $d['state'], "\t", clean($d['error']), "\n";
	break;
case 'items':
	foreach (api($url, 'item.get', ['hostids' => hostid($url, $auth, $argv[3]),
		'output' => ['key_', 'name', 'lastvalue', 'lastclock', 'state', 'error'], 'sortfield' => 'key_'], $auth) as $i)
		echo $i['key_'], "\t", ($i['lastclock'] ? clean($i['lastvalue']) : '-'), "\t",
			$i['state'], "\t", clean($i['error']), "\t", clean($i['name']), "\n";
	break;
case 'triggers':
	foreach (api($url, 'trigger.get', ['hostids' => hostid($url, $auth, $argv[3]),
		'output' => ['description', 'value', 'state', 'error'], 'expandDescription' => true], $auth) as $t)
		echo $t['value'], "\t", $t['state'], "\t", clean($t['description']), "\t", clean($t['error']), "\n";
	break;
case 'problems':
	foreach (api($url, 'problem.get', ['hostids' => hostid($url, $auth, $argv[3]),
		'output' => ['name']], $auth) as $p)
		echo clean($p['name']), "\n";
	break;
default:
	fwrite(STDERR, "unknown command $cmd\n");
	exit(2);
}
