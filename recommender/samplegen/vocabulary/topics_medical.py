"""Planted topics of the medical specialties (data only): internal medicine and its
subspecialties, neurology, psychiatry, pediatrics, obstetrics and gynecology.

Entry format (as for ``specialties.CROSS_TOPICS``): ``mentor interest | mentor research area
| interventions | mentee-side paraphrases``.
"""

from __future__ import annotations

MEDICAL_TOPICS: dict[str, tuple[str, ...]] = {
    "internal medicine": (
        "hospital medicine care transitions | reducing readmissions after hospital discharge"
        " | nurse-led discharge phone calls; structured handoff checklists"
        " | making sure people do okay after they go home; why patients bounce back",
        "diagnostic reasoning | cognitive bias in diagnostic error"
        " | case-based reasoning curricula; diagnostic time-outs"
        " | how doctors think through a tricky case; avoiding missed diagnoses",
        "perioperative medicine | preoperative risk assessment for noncardiac surgery"
        " | medical comanagement of surgical patients; preoperative anemia clinics"
        " | getting patients medically ready for an operation; medicine consults on surgery wards",
        "care of multimorbid older adults | deprescribing and polypharmacy"
        " | pharmacist-led medication review; deprescribing protocols"
        " | elderly patients taking way too many pills; juggling lots of chronic conditions",
        "bedside ultrasound in internal medicine | point-of-care ultrasound training for internists"
        " | handheld ultrasound; POCUS credentialing pathways"
        " | scanning patients myself with a pocket probe; hands-on imaging skills",
        "safety-net primary care | chronic disease management in safety-net clinics"
        " | community health worker programs; group medical visits"
        " | helping patients who can't afford care; clinics for uninsured people",
        "hypertension control | population blood pressure management"
        " | home blood pressure telemonitoring; team-based medication titration"
        " | high blood pressure that won't come down; keeping pressures in check at home",
        "high-value care | reducing low-value testing in hospitalized patients"
        " | electronic order-set nudges; Choosing Wisely interventions"
        " | cutting unnecessary tests; what medical bills do to patients",
        "hospital addiction medicine | inpatient addiction consult services"
        " | buprenorphine initiation in hospital; naloxone co-prescribing"
        " | helping admitted patients who use opioids; treating substance use on the wards",
    ),
    "cardiology": (
        "heart failure with preserved ejection fraction | HFpEF phenotyping and exercise physiology"
        " | sacubitril-valsartan; supervised exercise training"
        " | stiff-heart failure where the pump still squeezes normally; HFpEF outcomes;"
        " breathless older patients with a normal echo",
        "atrial fibrillation ablation | catheter ablation outcomes in atrial fibrillation"
        " | pulmonary vein isolation; left atrial appendage occlusion"
        " | fixing irregular heart rhythms with procedures; heart rhythm problems and stroke risk",
        "structural heart disease | transcatheter valve therapy outcomes"
        " | transcatheter aortic valve replacement; transcatheter mitral repair"
        " | replacing heart valves through a catheter; cath lab procedures",
        "preventive cardiology | lipid management and cardiovascular risk prediction"
        " | PCSK9 inhibitors; coronary artery calcium scoring"
        " | preventing heart attacks before they happen; cholesterol and heart risk",
        "cardio-oncology | cardiotoxicity of cancer therapies"
        " | anthracycline cardioprotection; strain echocardiography surveillance"
        " | heart damage from chemotherapy; heart problems in cancer survivors",
        "adult congenital heart disease | long-term outcomes after Fontan palliation"
        " | Fontan surveillance protocols; pediatric-to-adult transition clinics"
        " | grown-ups who were born with heart defects; kids with heart defects growing up",
        "cardiac magnetic resonance | cardiac MRI tissue characterization"
        " | late gadolinium enhancement; stress perfusion imaging"
        " | reading heart scans; seeing scar in the heart muscle on imaging",
        "women's cardiovascular health | sex differences in ischemic heart disease"
        " | coronary microvascular function testing; pregnancy-related cardiovascular risk"
        " | heart attacks in women that look different; heart disease during pregnancy",
    ),
    "gastroenterology": (
        "inflammatory bowel disease | biologic therapy outcomes in Crohn's disease and colitis"
        " | anti-TNF therapy; therapeutic drug monitoring"
        " | chronic gut inflammation in young adults; Crohn's and colitis",
        "advanced endoscopy | endoscopic ultrasound and ERCP outcomes"
        " | EUS-guided drainage; endoscopic submucosal dissection"
        " | scope procedures for the pancreas and bile ducts; high-tech scope work",
        "steatotic liver disease | metabolic dysfunction-associated steatotic liver disease"
        " | noninvasive fibrosis scoring; GLP-1 receptor agonists"
        " | fatty liver; liver scarring from obesity and diabetes",
        "colorectal cancer screening | screening uptake and adenoma detection"
        " | mailed FIT outreach; colonoscopy quality metrics"
        " | getting people to do colon cancer checks; catching bowel cancer early",
        "neurogastroenterology and motility | disorders of gut-brain interaction"
        " | gut-directed hypnotherapy; high-resolution manometry"
        " | irritable bowel; the gut-brain connection; swallowing trouble",
        "gastrointestinal bleeding | risk stratification in upper gastrointestinal bleeding"
        " | Glasgow-Blatchford score; hemostatic powder"
        " | bleeding ulcers; emergencies where patients vomit blood",
        "liver transplantation | alcohol-associated hepatitis and early transplant"
        " | early liver transplant listing; living donor hepatectomy"
        " | giving people new livers; liver failure from drinking",
        "pancreatitis | acute pancreatitis fluid resuscitation"
        " | aggressive versus moderate hydration; pancreatic enzyme replacement"
        " | inflamed pancreas; severe belly pain that lands people in the hospital",
    ),
    "nephrology": (
        "chronic kidney disease | slowing CKD progression"
        " | SGLT2 inhibitors; finerenone"
        " | keeping kidneys working longer; kidney function slowly declining",
        "home dialysis | peritoneal dialysis and home hemodialysis uptake"
        " | urgent-start peritoneal dialysis; home dialysis training"
        " | doing dialysis at home instead of a center; independence with kidney failure",
        "kidney transplantation | transplant access and living donor outcomes"
        " | desensitization protocols; living donor evaluation"
        " | getting a new kidney; organ donation from family members",
        "glomerular disease | podocytopathies and IgA nephropathy"
        " | kidney biopsy classification; complement inhibitors"
        " | immune diseases that attack the kidney filters; protein leaking into urine",
        "acute kidney injury | AKI biomarkers in critical illness"
        " | continuous renal replacement therapy; urinary biomarkers"
        " | kidneys shutting down in the ICU; sudden kidney failure",
        "onconephrology | kidney toxicity of immune checkpoint inhibitors"
        " | checkpoint inhibitor nephritis; tumor lysis prevention"
        " | kidney problems from cancer drugs; cancer patients whose kidneys struggle",
        "electrolyte disorders | hyponatremia management"
        " | urea for SIADH; controlled sodium correction"
        " | salt and water balance problems; low sodium in hospitalized patients",
        "conservative kidney management | shared decision-making about dialysis in older adults"
        " | palliative kidney care; decision aids"
        " | choosing not to start dialysis; end-of-life care for people with failing kidneys",
    ),
    "pulmonary and critical care": (
        "acute respiratory distress syndrome | lung-protective ventilation"
        " | prone positioning; low tidal volume ventilation"
        " | breathing machines for very sick lungs; ICU patients who can't get enough oxygen",
        "sepsis | early sepsis recognition and resuscitation"
        " | balanced crystalloids; sepsis alert algorithms"
        " | severe infections that cause organ failure; catching blood infections early",
        "interstitial lung disease | pulmonary fibrosis progression and antifibrotic therapy"
        " | nintedanib; pirfenidone"
        " | scarring of the lungs; lungs that slowly get stiff",
        "chronic obstructive pulmonary disease | COPD exacerbation prevention"
        " | pulmonary rehabilitation; triple inhaler therapy"
        " | smokers' lung disease; keeping people with emphysema out of the hospital",
        "lung cancer screening | low-dose CT screening and pulmonary nodule management"
        " | navigational bronchoscopy; shared decision-making visits"
        " | spots on the lung found on a CT; finding lung cancer early in smokers",
        "obstructive sleep apnea | sleep-disordered breathing"
        " | CPAP adherence coaching; hypoglossal nerve stimulation"
        " | snoring and stopping breathing at night; sleep problems and daytime tiredness",
        "post-intensive care syndrome | long-term recovery after critical illness"
        " | ICU follow-up clinics; early mobilization"
        " | life after the ICU; how people recover from being critically ill",
        "pulmonary hypertension | pulmonary arterial hypertension risk stratification"
        " | right heart catheterization; prostacyclin therapy"
        " | high pressure in the lung blood vessels; right-sided heart strain",
    ),
    "infectious diseases": (
        "HIV medicine | HIV pre-exposure prophylaxis uptake"
        " | long-acting cabotegravir; same-day antiretroviral therapy start"
        " | HIV prevention pills; living well with HIV",
        "antimicrobial stewardship | reducing inappropriate antibiotic use"
        " | prospective audit and feedback; procalcitonin-guided therapy"
        " | using fewer unnecessary antibiotics; drug-resistant bugs",
        "transplant infectious diseases | infections in solid organ transplant recipients"
        " | CMV prophylaxis; donor-derived infection screening"
        " | infections in people on anti-rejection drugs; immunosuppressed patients getting sick",
        "infection prevention | healthcare-associated infection prevention"
        " | chlorhexidine bathing; central line bundles"
        " | infections people catch in the hospital; keeping germs from spreading on wards",
        "tuberculosis | latent tuberculosis treatment completion"
        " | short-course rifamycin regimens; video directly observed therapy"
        " | TB in immigrant communities; old infections that still matter today",
        "viral hepatitis | hepatitis C elimination"
        " | direct-acting antivirals; point-of-care HCV testing"
        " | curing hep C; testing people who inject drugs for liver viruses",
        "bone and joint infections | prosthetic joint infection management"
        " | oral versus intravenous antibiotics; two-stage revision"
        " | infected hip and knee replacements; infections deep in the bone",
        "travel medicine and emerging infections | surveillance of emerging infections"
        " | pre-travel consultation; arbovirus surveillance"
        " | diseases people pick up abroad; outbreaks and pandemics",
    ),
    "endocrinology": (
        "diabetes technology | automated insulin delivery systems"
        " | closed-loop insulin pumps; continuous glucose monitoring"
        " | insulin pumps and sugar sensors; gadgets for people with diabetes",
        "obesity medicine | incretin-based therapy for obesity"
        " | GLP-1 receptor agonists; tirzepatide"
        " | weight-loss shots; helping people lose weight with medication",
        "thyroid nodules and thyroid cancer | thyroid nodule risk stratification"
        " | ultrasound-guided fine needle aspiration; molecular testing of nodules"
        " | lumps in the neck; neck cancers that may not need an operation",
        "osteoporosis | fracture prevention in osteoporosis"
        " | romosozumab; fracture liaison services"
        " | brittle bones; preventing broken hips in grandparents",
        "adrenal disorders | primary aldosteronism screening"
        " | adrenal vein sampling; aldosterone-renin ratio testing"
        " | hormone causes of high blood pressure; glands on top of the kidneys",
        "pituitary disease | pituitary adenoma outcomes"
        " | transsphenoidal surgery; somatostatin analogs"
        " | brain gland tumors that throw off hormones",
        "transgender endocrine care | gender-affirming hormone therapy"
        " | estradiol dosing; testosterone therapy monitoring"
        " | hormone care for trans patients; LGBTQ+ health",
        "diabetes in pregnancy | gestational diabetes management"
        " | metformin in pregnancy; postpartum glucose screening"
        " | high blood sugar while pregnant; moms with sugar problems",
    ),
    "hematology and oncology": (
        "breast cancer | HER2-positive breast cancer treatment"
        " | antibody-drug conjugates; neoadjuvant chemotherapy"
        " | treating tumors of the breast; targeted drugs for women's cancers",
        "thoracic oncology | targeted therapy in non-small cell lung cancer"
        " | EGFR inhibitors; immune checkpoint inhibitors"
        " | lung tumors with gene mutations; immunotherapy that unleashes the immune system",
        "acute myeloid leukemia | AML treatment in older adults"
        " | venetoclax combinations; measurable residual disease testing"
        " | blood cancers in the elderly; cancers of the bone marrow",
        "allogeneic stem cell transplantation | graft-versus-host disease"
        " | post-transplant cyclophosphamide; ruxolitinib"
        " | stem cell transplant; donor cells attacking the patient",
        "cellular therapy | CAR-T therapy for lymphoma and myeloma"
        " | CD19 CAR-T cells; bispecific antibodies"
        " | engineered immune cells that kill cancer; cutting-edge cancer treatments",
        "venous thromboembolism | anticoagulation and cancer-associated thrombosis"
        " | direct oral anticoagulants; low-molecular-weight heparin"
        " | blood clots in the legs and lungs; blood thinners",
        "sickle cell disease | pain crises and transition of care in sickle cell disease"
        " | hydroxyurea; gene therapy"
        " | inherited blood disorders in young adults; pain crises in the ER",
        "geriatric oncology | geriatric assessment in older adults with cancer"
        " | geriatric assessment-guided treatment; dose-reduced chemotherapy"
        " | frail patients getting chemo; cancer care for grandparents",
        "cancer genetics | hereditary cancer syndromes"
        " | germline testing; cascade testing of relatives"
        " | cancer running in families; BRCA genes",
    ),
    "neurology": (
        "acute ischemic stroke | thrombectomy for large vessel occlusion"
        " | mobile stroke units; tenecteplase"
        " | brain attack emergencies; removing clots from brain arteries",
        "epilepsy | drug-resistant epilepsy surgery evaluation"
        " | responsive neurostimulation; ketogenic diet therapy"
        " | seizures that medicine doesn't control; convulsions in young adults",
        "multiple sclerosis | disease-modifying therapy in multiple sclerosis"
        " | B-cell depleting therapies; MRI lesion monitoring"
        " | the immune system attacking nerves; MS",
        "Parkinson's disease and movement disorders | deep brain stimulation outcomes"
        " | deep brain stimulation; focused ultrasound thalamotomy"
        " | tremors and shaking; brain implants for shaky hands",
        "dementia | early detection of Alzheimer's disease"
        " | amyloid PET; plasma phospho-tau biomarkers"
        " | memory loss; older relatives becoming forgetful",
        "headache medicine | chronic migraine prevention"
        " | CGRP monoclonal antibodies; onabotulinumtoxinA"
        " | migraines; bad headaches that never go away",
        "neuromuscular disease | amyotrophic lateral sclerosis and peripheral neuropathy"
        " | electromyography; antisense oligonucleotides"
        " | nerve and muscle diseases; Lou Gehrig's disease",
        "neurocritical care | prognostication after cardiac arrest"
        " | targeted temperature management; continuous EEG monitoring"
        " | brain injury in the ICU; predicting who wakes up after resuscitation",
    ),
    "psychiatry": (
        "perinatal psychiatry | postpartum depression"
        " | zuranolone; collaborative perinatal care"
        " | new moms with depression; mental health around having a baby",
        "addiction psychiatry | opioid use disorder treatment retention"
        " | buprenorphine; contingency management"
        " | people struggling with drugs and alcohol; recovery from addiction",
        "child and adolescent psychiatry | adolescent depression and suicide prevention"
        " | cognitive behavioral therapy; safety planning interventions"
        " | teens with depression; kids' mental health",
        "first-episode psychosis | early intervention in psychosis"
        " | coordinated specialty care; long-acting injectable antipsychotics"
        " | schizophrenia in young people; hearing voices",
        "interventional psychiatry | neuromodulation for treatment-resistant depression"
        " | transcranial magnetic stimulation; esketamine"
        " | depression that doesn't respond to pills; brain stimulation for mood",
        "consultation-liaison psychiatry | delirium in hospitalized patients"
        " | delirium prevention bundles; collaborative care"
        " | mental health of medically sick patients; confusion in hospitalized elders",
        "trauma and PTSD | posttraumatic stress disorder in veterans"
        " | prolonged exposure therapy; MDMA-assisted therapy"
        " | healing after trauma; veterans' mental health",
        "eating disorders | anorexia nervosa in adolescents"
        " | family-based treatment; medical stabilization"
        " | anorexia; unhealthy relationships with food",
    ),
    "pediatrics": (
        "neonatology | outcomes of extremely preterm infants"
        " | less invasive surfactant administration; delayed cord clamping"
        " | tiny premature babies; the NICU",
        "pediatric asthma | school-based asthma management"
        " | school-based controller therapy; home trigger remediation"
        " | kids with breathing problems; wheezing children",
        "adolescent medicine | confidential adolescent reproductive health care"
        " | long-acting reversible contraception; confidential visit models"
        " | teen health; talking with teenagers about sensitive stuff",
        "developmental and behavioral pediatrics | early autism diagnosis"
        " | developmental screening; telehealth autism evaluation"
        " | autism in toddlers; kids who are slow to talk",
        "pediatric obesity | family-based pediatric weight management"
        " | motivational interviewing; adolescent bariatric surgery"
        " | overweight kids; healthy eating for children",
        "pediatric critical care | pediatric sepsis in the PICU"
        " | fluid resuscitation protocols; PICU early mobility"
        " | critically ill children; the children's ICU",
        "child abuse pediatrics | detection of physical abuse in infants"
        " | sentinel injury screening; skeletal surveys"
        " | child maltreatment; protecting kids at risk",
        "pediatric hospital medicine | high-value inpatient care for bronchiolitis"
        " | high-flow nasal cannula; deimplementation of low-value care"
        " | caring for hospitalized kids; babies with RSV",
        "vaccine hesitancy | parental vaccine hesitancy"
        " | presumptive vaccine recommendations; text message reminders"
        " | parents who are unsure about shots; childhood immunizations",
    ),
    "obstetrics and gynecology": (
        "maternal-fetal medicine | hypertensive disorders of pregnancy"
        " | low-dose aspirin prophylaxis; postpartum blood pressure monitoring"
        " | high-risk pregnancy; preeclampsia",
        "reproductive endocrinology and infertility | IVF outcomes"
        " | single embryo transfer; fertility preservation"
        " | trouble getting pregnant; egg freezing",
        "gynecologic oncology | ovarian cancer surgery and maintenance therapy"
        " | PARP inhibitors; hyperthermic intraperitoneal chemotherapy"
        " | cancers of the female reproductive organs; ovarian tumors",
        "minimally invasive gynecologic surgery | surgical management of endometriosis"
        " | robotic hysterectomy; excision of endometriosis"
        " | painful periods and pelvic pain; robot surgery for women",
        "family planning | contraception access"
        " | immediate postpartum LARC; telehealth medication abortion"
        " | birth control access; reproductive rights",
        "urogynecology | pelvic floor disorders"
        " | midurethral slings; pelvic floor physical therapy"
        " | bladder leakage after childbirth; pelvic organ prolapse",
        "maternal health equity | severe maternal morbidity and racial disparities"
        " | obstetric hemorrhage bundles; doula support programs"
        " | why mothers die in childbirth; Black maternal health",
        "labor and delivery | cesarean delivery rates and labor induction"
        " | elective induction at 39 weeks; trial of labor after cesarean"
        " | childbirth; C-sections",
    ),
}
