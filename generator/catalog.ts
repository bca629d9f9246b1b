/**
 * What a Windows lab host runs, as data: the boot chain, the svchost service groups, the SSM
 * inventory queries, and the everyday programs. Wintap records names lower-case, so names and paths
 * are lower-case here; arguments keep the case the programs were started with.
 */

const SYS32 = 'c:\\windows\\system32\\';

const PATHS: Record<string, string> = {
  'ntoskrnl.exe': `${SYS32}ntoskrnl.exe`,
  'wintap.exe': 'c:\\program files\\wintap\\wintap.exe',
  'mergehelper.exe': 'c:\\program files\\wintap\\mergehelper.exe',
  'wintapsvcmgr.exe': 'c:\\program files\\wintap\\wintapsvcmgr.exe',
  'amazon-ssm-agent.exe': 'c:\\program files\\amazon\\ssm\\amazon-ssm-agent.exe',
  'ssm-agent-worker.exe': 'c:\\program files\\amazon\\ssm\\ssm-agent-worker.exe',
  'ssm-document-worker.exe': 'c:\\program files\\amazon\\ssm\\ssm-document-worker.exe',
  'powershell.exe': `${SYS32}windowspowershell\\v1.0\\powershell.exe`,
  'wmic.exe': `${SYS32}wbem\\wmic.exe`,
  'wmiprvse.exe': `${SYS32}wbem\\wmiprvse.exe`,
  'explorer.exe': 'c:\\windows\\explorer.exe',
  'python.exe': 'c:\\program files\\python311\\python.exe',
  'git.exe': 'c:\\program files\\git\\cmd\\git.exe',
  'bash.exe': 'c:\\program files\\git\\bin\\bash.exe',
  'node.exe': 'c:\\program files\\nodejs\\node.exe',
  'java.exe': 'c:\\program files\\java\\jdk-17\\bin\\java.exe',
  'msbuild.exe': 'c:\\program files\\microsoft visual studio\\2022\\community\\msbuild\\current\\bin\\msbuild.exe',
  'chrome.exe': 'c:\\program files\\google\\chrome\\application\\chrome.exe',
  'msedge.exe': 'c:\\program files (x86)\\microsoft\\edge\\application\\msedge.exe',
  'excel.exe': 'c:\\program files\\microsoft office\\root\\office16\\excel.exe',
  'winword.exe': 'c:\\program files\\microsoft office\\root\\office16\\winword.exe',
  'outlook.exe': 'c:\\program files\\microsoft office\\root\\office16\\outlook.exe',
  'teams.exe': 'c:\\users\\public\\appdata\\local\\microsoft\\teams\\current\\teams.exe',
  'msmpeng.exe': 'c:\\programdata\\microsoft\\windows defender\\platform\\4.18.23090.2008-0\\msmpeng.exe',
  'mpcmdrun.exe': 'c:\\programdata\\microsoft\\windows defender\\platform\\4.18.23090.2008-0\\mpcmdrun.exe',
  'tiworker.exe': 'c:\\windows\\winsxs\\amd64_microsoft-windows-servicingstack_10.0.20348.2025\\tiworker.exe',
  'trustedinstaller.exe': 'c:\\windows\\servicing\\trustedinstaller.exe',
};

/** Pseudo-processes of the kernel and the agent's placeholder have no image on disk. */
const NO_IMAGE = ['unknown', 'registry', 'secure system', 'memcompression'];

/** Where a program lives; system32 unless listed; null for pseudo-processes. */
export function pathOf(name: string): string | null {
  if (NO_IMAGE.includes(name)) return null;
  return PATHS[name] ?? `${SYS32}${name}`;
}

/** Every name the generator uses, so the SQL can attach paths with one join. */
export function knownNames(): string[] {
  return [
    ...new Set([
      ...Object.keys(PATHS),
      ...NO_IMAGE,
      ...BOOT_CHAIN.map((e) => e.name),
      ...PROGRAMS.map((p) => p.name),
      ...NESTED_SHELLS,
      ...NAMED_DUD_NAMES,
      'svchost.exe',
      'conhost.exe',
      'taskhostw.exe',
    ]),
  ].sort();
}

export const CONHOST_ARGS = '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1';

/**
 * The processes every boot starts, in boot order. `parent` is another key of this list; `null` makes
 * a dud (the kernel's own pseudo-processes have no parent the agent can hash). `phantom` rows are
 * never written: they exist only so that orphans can point at a hash that is not in the data, the way
 * ACME4's conhost.exe and half of its wmic.exe do. Times are milliseconds after boot; `lifeMs` null
 * means the process lives until shutdown. `jitterKey` makes userinit and explorer share one draw.
 */
export interface BootChainEntry {
  key: string;
  parent: string | null;
  name: string;
  pid: number | null;
  offsetMs: number;
  jitterMs: number;
  jitterKey: string;
  lifeMs: number | null;
  user: string | null;
  args: string | null;
  sessionOnly: boolean;
  phantom: boolean;
}

function entry(e: Partial<BootChainEntry> & Pick<BootChainEntry, 'key' | 'parent' | 'name' | 'offsetMs'>): BootChainEntry {
  return { pid: null, jitterMs: 0, jitterKey: e.key, lifeMs: null, user: 'SYSTEM', args: null, sessionOnly: false, phantom: false, ...e };
}

export const BOOT_CHAIN: BootChainEntry[] = [
  // Wintap names the System process after its image and makes it its own parent: the lineage root.
  entry({ key: 'ntoskrnl', parent: 'ntoskrnl', name: 'ntoskrnl.exe', pid: 4, offsetMs: 0 }),
  entry({ key: 'secure-system', parent: null, name: 'secure system', offsetMs: 50 }),
  entry({ key: 'registry', parent: null, name: 'registry', offsetMs: 120 }),
  // The agent's placeholder parent, used when the real parent cannot be found (PID 1 never exists on Windows).
  entry({ key: 'unknown', parent: 'ntoskrnl', name: 'unknown', pid: 1, offsetMs: 1, user: null }),
  entry({ key: 'smss-master', parent: 'ntoskrnl', name: 'smss.exe', offsetMs: 400 }),
  // Each session gets its own short-lived smss.exe copy, hence smss.exe->smss.exe in every ptree.
  entry({ key: 'smss-s0', parent: 'smss-master', name: 'smss.exe', offsetMs: 1_200, lifeMs: 1_400 }),
  entry({ key: 'csrss-s0', parent: 'smss-s0', name: 'csrss.exe', offsetMs: 1_500 }),
  entry({ key: 'wininit', parent: 'smss-s0', name: 'wininit.exe', offsetMs: 1_600, args: 'wininit.exe' }),
  entry({ key: 'services', parent: 'wininit', name: 'services.exe', offsetMs: 2_000, args: 'C:\\Windows\\system32\\services.exe' }),
  entry({ key: 'lsass', parent: 'wininit', name: 'lsass.exe', offsetMs: 2_100, args: 'C:\\Windows\\system32\\lsass.exe' }),
  entry({ key: 'smss-s1', parent: 'smss-master', name: 'smss.exe', offsetMs: 2_300, lifeMs: 1_500 }),
  entry({ key: 'csrss-s1', parent: 'smss-s1', name: 'csrss.exe', offsetMs: 2_400 }),
  entry({ key: 'winlogon', parent: 'smss-s1', name: 'winlogon.exe', offsetMs: 2_600, args: 'winlogon.exe' }),
  entry({ key: 'memcompression', parent: null, name: 'memcompression', offsetMs: 5_000 }),
  entry({ key: 'wintap', parent: 'services', name: 'wintap.exe', offsetMs: 15_000, args: '"C:\\Program Files\\Wintap\\Wintap.exe"' }),
  entry({
    key: 'ssm-agent',
    parent: 'services',
    name: 'amazon-ssm-agent.exe',
    offsetMs: 20_000,
    args: '"C:\\Program Files\\Amazon\\SSM\\amazon-ssm-agent.exe"',
  }),
  entry({
    key: 'ssm-worker',
    parent: 'ssm-agent',
    name: 'ssm-agent-worker.exe',
    offsetMs: 21_000,
    args: '"C:\\Program Files\\Amazon\\SSM\\ssm-agent-worker.exe"',
  }),
  entry({
    key: 'userinit',
    parent: 'winlogon',
    name: 'userinit.exe',
    offsetMs: 60_000,
    jitterMs: 540_000,
    jitterKey: 'logon',
    lifeMs: 8_000,
    sessionOnly: true,
    user: '<session>',
  }),
  entry({
    key: 'explorer',
    parent: 'userinit',
    name: 'explorer.exe',
    offsetMs: 65_000,
    jitterMs: 540_000,
    jitterKey: 'logon',
    sessionOnly: true,
    user: '<session>',
    args: 'C:\\Windows\\Explorer.EXE',
  }),
  // A worker restarted while its start event was lost: its wmic.exe children point at a missing hash.
  entry({ key: 'ssm-worker-lost', parent: null, name: 'ssm-agent-worker.exe', offsetMs: 3_600_000, phantom: true }),
  ...Array.from({ length: 8 }, (_, i) =>
    entry({ key: `console-parent-${i}`, parent: null, name: 'csrss.exe', offsetMs: -86_400_000 + i * 1_000, phantom: true }),
  ),
];
export const PHANTOM_CONSOLE_PARENTS = 8;

/** svchost.exe service groups; the first two are the parents the other kinds refer to. */
export const SVCHOST_GROUPS: Array<{ args: string; user: string }> = [
  ['-k netsvcs -p -s Schedule', 'SYSTEM'], // svchost 0: the task scheduler
  ['-k DcomLaunch -p', 'SYSTEM'], // svchost 1: DCOM server launcher
  ['-k RPCSS -p', 'NETWORK SERVICE'],
  ['-k LocalServiceNetworkRestricted -p -s lmhosts', 'LOCAL SERVICE'],
  ['-k LocalServiceNoNetworkFirewall -p', 'LOCAL SERVICE'],
  ['-k netsvcs -p -s Winmgmt', 'SYSTEM'],
  ['-k NetworkService -p -s Dnscache', 'NETWORK SERVICE'],
  ['-k LocalSystemNetworkRestricted -p -s SysMain', 'SYSTEM'],
  ['-k LocalService -p -s EventLog', 'LOCAL SERVICE'],
  ['-k netsvcs -p -s gpsvc', 'SYSTEM'],
  ['-k netsvcs -p -s ProfSvc', 'SYSTEM'],
  ['-k LocalServiceNetworkRestricted -p -s Dhcp', 'LOCAL SERVICE'],
  ['-k NetworkService -p -s LanmanWorkstation', 'NETWORK SERVICE'],
  ['-k netsvcs -p -s Themes', 'SYSTEM'],
  ['-k LocalService -p -s nsi', 'LOCAL SERVICE'],
  ['-k netsvcs -p -s SENS', 'SYSTEM'],
  ['-k LocalServiceNoNetwork -p', 'LOCAL SERVICE'],
  ['-k netsvcs -p -s BITS', 'SYSTEM'],
  ['-k utcsvc -p', 'SYSTEM'],
  ['-k NetworkService -p -s CryptSvc', 'NETWORK SERVICE'],
  ['-k appmodel -p -s StateRepository', 'SYSTEM'],
  ['-k wsappx -p -s ClipSVC', 'SYSTEM'],
  ['-k LocalService -p -s FontCache', 'LOCAL SERVICE'],
  ['-k netsvcs -p -s UsoSvc', 'SYSTEM'],
  ['-k netsvcs -p -s wuauserv', 'SYSTEM'],
  ['-k LocalSystemNetworkRestricted -p -s TrkWks', 'SYSTEM'],
  ['-k UnistackSvcGroup', 'SYSTEM'],
  ['-k LocalServiceAndNoImpersonation -p -s SSDPSRV', 'LOCAL SERVICE'],
].map(([group, user]) => ({ args: `C:\\Windows\\system32\\svchost.exe ${group}`, user }));

/** The SSM agent's inventory plugin polls the host through wmic.exe, over and over. */
export const WMIC_ARGS = [
  'wmic  os get Caption,Version,BuildNumber /format:list',
  'wmic  computersystem get Domain,Manufacturer,Model,Name /format:list',
  'wmic  path Win32_QuickFixEngineering get HotFixID,InstalledOn /format:csv',
  'wmic  nicconfig where IPEnabled=true get IPAddress,MACAddress /format:list',
  'wmic  product get Name,Version,Vendor /format:csv',
  'wmic  cpu get Name,NumberOfCores,NumberOfLogicalProcessors /format:list',
  'wmic  logicaldisk get DeviceID,Size,FreeSpace /format:list',
];

/** Interactive users of the lab. */
export const USERS = ['ACME\\alice.kim', 'ACME\\bob.ng', 'ACME\\carol.diaz', 'ACME\\dave.ito', 'ACME\\erin.shah', 'ACME\\administrator'];

/** Where a program of the catalog is started from. */
export type ParentRole = 'explorer' | 'scheduler' | 'dcom' | 'services' | 'svchost';

export interface CatalogProgram {
  name: string;
  role: ParentRole;
  /** Console programs get conhost.exe children. */
  console: boolean;
  /** Relative frequency. */
  weight: number;
  /** Lifetime is uniform in 1 s .. maxLifeSeconds (capped by shutdown). */
  maxLifeSeconds: number;
  args: string | null;
}

function program(
  name: string,
  role: ParentRole,
  console: boolean,
  weight: number,
  maxLifeSeconds: number,
  args: string | null = null,
): CatalogProgram {
  return { name, role, console, weight, maxLifeSeconds, args };
}

/** The everyday programs, none of them the agents'. Weights keep each name below taskhostw.exe. */
export const PROGRAMS: CatalogProgram[] = [
  program('cmd.exe', 'scheduler', true, 7, 120, 'C:\\Windows\\system32\\cmd.exe /c "C:\\ProgramData\\acme\\collect.bat"'),
  program('cmd.exe', 'explorer', true, 4, 3_600, '"C:\\Windows\\system32\\cmd.exe"'),
  program('wmiprvse.exe', 'dcom', false, 4, 600, 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding'),
  program('dllhost.exe', 'dcom', false, 4, 300, 'C:\\Windows\\system32\\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}'),
  program('runtimebroker.exe', 'dcom', false, 3, 1_800, 'C:\\Windows\\System32\\RuntimeBroker.exe -Embedding'),
  program('backgroundtaskhost.exe', 'dcom', false, 3, 60, null),
  program('searchprotocolhost.exe', 'services', true, 3, 120, null),
  program('searchfilterhost.exe', 'services', true, 3, 120, null),
  program('compattelrunner.exe', 'scheduler', true, 5, 300, 'C:\\Windows\\system32\\compattelrunner.exe -maintenance'),
  program(
    'mpcmdrun.exe',
    'scheduler',
    true,
    5,
    300,
    '"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.23090.2008-0\\MpCmdRun.exe" -IdleTask -TaskName WdCacheMaintenance',
  ),
  program('gpupdate.exe', 'scheduler', true, 4, 30, 'gpupdate.exe /target:computer'),
  program('sc.exe', 'scheduler', true, 4, 5, 'sc.exe query state= all'),
  program('net.exe', 'scheduler', true, 4, 5, 'net.exe use'),
  program('netsh.exe', 'scheduler', true, 4, 5, 'netsh.exe advfirewall show allprofiles'),
  program('schtasks.exe', 'scheduler', true, 4, 5, 'schtasks.exe /query /fo csv'),
  program('reg.exe', 'scheduler', true, 4, 5, 'reg.exe query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'),
  program('cscript.exe', 'scheduler', true, 4, 60, 'cscript.exe //nologo C:\\ProgramData\\acme\\inventory.vbs'),
  program('sihclient.exe', 'scheduler', true, 2, 60, 'C:\\Windows\\System32\\sihclient.exe /cv 1'),
  program('ipconfig.exe', 'explorer', true, 3, 5, 'ipconfig /all'),
  program('whoami.exe', 'explorer', true, 2, 5, 'whoami /all'),
  program('tasklist.exe', 'explorer', true, 2, 5, 'tasklist /v'),
  program('python.exe', 'explorer', true, 3, 900, 'python.exe analysis.py'),
  program('git.exe', 'explorer', true, 3, 30, 'git.exe fetch --all'),
  program('chrome.exe', 'explorer', false, 4, 7_200, '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"'),
  program(
    'msedge.exe',
    'explorer',
    false,
    3,
    7_200,
    '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --no-startup-window',
  ),
  program('notepad.exe', 'explorer', false, 2, 1_800, null),
  program('excel.exe', 'explorer', false, 1, 3_600, null),
  program('winword.exe', 'explorer', false, 1, 3_600, null),
  program('outlook.exe', 'explorer', false, 1, 14_400, null),
  program('teams.exe', 'explorer', false, 1, 14_400, null),
  program('taskmgr.exe', 'explorer', false, 1, 600, null),
  program('msiexec.exe', 'services', false, 2, 120, 'C:\\Windows\\system32\\msiexec.exe /V'),
  program('trustedinstaller.exe', 'services', false, 1, 900, null),
  program('sppsvc.exe', 'services', false, 2, 60, null),
  program('tiworker.exe', 'dcom', false, 1, 900, null),
  program('smartscreen.exe', 'dcom', false, 2, 30, 'C:\\Windows\\System32\\smartscreen.exe -Embedding'),
  program('mousocoreworker.exe', 'dcom', false, 1, 300, null),
  program('audiodg.exe', 'svchost', false, 1, 600, null),
  program('werfault.exe', 'svchost', false, 1, 30, null),
  program('consent.exe', 'svchost', false, 1, 20, null),
  program('rundll32.exe', 'svchost', false, 2, 30, null),
  program('ctfmon.exe', 'svchost', false, 1, 3_600, null),
];

/** The shells and tools a developer nests inside one another; deep user-session chains. */
export const NESTED_SHELLS = [
  'cmd.exe',
  'python.exe',
  'cmd.exe',
  'git.exe',
  'bash.exe',
  'node.exe',
  'java.exe',
  'cscript.exe',
  'msbuild.exe',
];

/** Names the agent saw start without a parent it could hash: duds that still have a name. */
export const NAMED_DUD_NAMES = [
  'conhost.exe',
  'svchost.exe',
  'dllhost.exe',
  'backgroundtaskhost.exe',
  'runtimebroker.exe',
  'searchprotocolhost.exe',
  'taskhostw.exe',
  'wmiprvse.exe',
];
