export { SoftwareEgk, type SoftwareEgkOptions } from './software-egk';
export { loadCardImage, findById, type CardImage, type CardObject, type DfNode, type EfNode } from './image';
export { parseAccessRules, evaluate, decide, type Condition, type SecurityContext, type Decision } from './access-rules';
